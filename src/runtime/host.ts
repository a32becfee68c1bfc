/**
 * The worker side of the runtime: owns the tfjs backend and the model, answers the page's
 * calls (through Comlink, see client.ts). Runs in a dedicated worker; the page never touches
 * tensors.
 */
import * as Comlink from 'comlink';
import '../backend/gradients';
import '../backend/kernels';
import { initBackend, type BackendOptions, type BackendReport } from '../backend/init';
import type { Dataset } from '../data/dataset';
import { imageDataset, type ImageArray } from '../data/images';
import { toyDataset } from '../data/toy';
import {
  FineTuneMonitor,
  fineTuneProvenance,
  prepareFineTune,
  type FineTunePreview,
  type FineTuneProgress,
} from '../io/finetune';
import type { Provenance } from '../io/format';
import { generatorFromModel, labelNamesOf, modelFromTrainer, startFromModel } from '../io/networks';
import { saveModelToCache } from '../io/storage_cache';
import { saveModelToIndexedDb } from '../io/storage_indexeddb';
import { validateArch, type ArchConfig } from '../models/config';
import type { Network } from '../models/network';
import { countParams, disposeParams } from '../nn/params';
import {
  generateSamples,
  interpolateLabels,
  interpolateLatents,
  sampleLabels,
  sampleLatents,
} from '../sample/generate';
import { resultBuffers } from '../sample/render';
import { checkInterpolateRequest, checkSampleRequest } from '../sample/requests';
import { backgroundMismatch, describeBackground } from '../train/background_check';
import { FineTuneInputError } from '../train/finetune';
import type { TrainerState } from '../train/state';
import { Trainer, type StepMetrics } from '../train/trainer';
import { DeviceRecovery } from './device_recovery';
import { installErrorTransfer, RuntimeError } from './errors';
import { holdLifeLock } from './liveness';
import { describeSource, isFetched, readModel } from './model_sources';
import { oneAtATime } from './one_at_a_time';
import {
  PROGRESS_INTERVAL_MS,
  type BackendFallback,
  type FineTuneRequest,
  type FineTuneResult,
  type InterpolateRequest,
  type LoadProgress,
  type ModelContents,
  type ModelSource,
  type ModelSummary,
  type ModelTarget,
  type RuntimeBackendOptions,
  type SampleFormat,
  type SampleRequest,
  type SampleResult,
  type TrainData,
  type TrainProgress,
  type TrainRequest,
  type TrainResult,
  type WeightStorage,
} from './protocol';
import { throttle } from './throttle';
import { weightBuffers } from './transfer';

/** Largest batch one sample() call draws: bounds the worker's memory per call. */
export const MAX_SAMPLES_PER_CALL = 1024;

/** Backend options a worker script sets for its scope (see the RuntimeHost constructor). */
export type ScopeBackendOptions = Pick<BackendOptions, 'wasmCache' | 'wasmPaths'>;

/** A page callback: a Comlink proxy across the boundary, a plain function in tests. */
type Callback<T> = ((value: T) => unknown) & { [Comlink.releaseProxy]?: () => void };

export class RuntimeHost {
  private report: BackendReport | null = null;
  private generator: Network | null = null;
  /** Where the loaded generator came from: a run here, or a model given to load(). */
  private trainer: Trainer | null = null;
  private loadedModel: ModelContents | null = null;
  /** A fine-tune's record for the model its trainer exports (fineTuneProvenance); null for train(). */
  private trainerProvenance: ((trainer: Trainer) => Provenance) | null = null;
  /** A model loaded by URL comes without its critic: this reads the whole model when a fine-tune, an export or a save needs it. */
  private readWholeModel: (() => Promise<ModelContents>) | null = null;
  /** Counts the models this host has held: tells a cache whether the model is still the one it loaded. */
  private models = 0;
  /** Runs in progress by the page's run id, so cancel() can reach them. */
  private readonly runs = new Map<number, AbortController>();
  private backendOptions: BackendOptions = {};

  /** Moves the model off a lost WebGPU device (device_recovery.ts). */
  private readonly device = new DeviceRecovery({
    report: () => this.info(),
    setReport: (report) => {
      this.report = report;
    },
    backendOptions: () => this.backendOptions,
    currentTrainer: () => this.trainer,
    releaseModel: () => this.releaseModel(),
  });

  /** Reads of the trainer asked for during a run, waiting for its next step boundary (see betweenSteps). */
  private stepBoundaryReads: Array<() => Promise<void>> = [];

  /** load, sample, interpolate, export and a run's start: one at a time, in call order. */
  private readonly modelCalls = oneAtATime();

  /**
   * `scopeOptions`: backend options of the scope the host serves: its wasmCache over any a page
   * passes, its wasmPaths (the binaries beside the worker script) unless the page passes its own.
   */
  constructor(private readonly scopeOptions: ScopeBackendOptions = {}) {}

  /**
   * Starts the backend. `lifeLockName`: a Web Lock this worker holds until it ends, so the
   * page can tell when it is gone (see liveness.ts).
   */
  async init(options: RuntimeBackendOptions, lifeLockName?: string): Promise<BackendReport> {
    if (lifeLockName != null) await holdLifeLock(lifeLockName);
    // One backend per scope: a service worker serves several pages, the first one picks it.
    if (this.report == null) {
      const backendOptions = {
        ...options,
        wasmPaths: options.wasmPaths ?? this.scopeOptions.wasmPaths,
        wasmCache: this.scopeOptions.wasmCache,
      };
      this.report = await initBackend(backendOptions);
      this.backendOptions = backendOptions;
      this.device.watch();
    }
    return this.report;
  }

  /** Changes whenever load() or train() replaces the model. */
  get modelVersion(): number {
    return this.models;
  }

  info(): BackendReport {
    if (this.report == null)
      throw new RuntimeError(
        'the runtime has not started its backend yet, so no model is loaded: call init, then load a model',
        'not-started',
      );
    return this.report;
  }

  /**
   * Loads a model (see ModelSource) and keeps its generator. URL downloads report their
   * progress (bytes) to `onProgress`, throttled like training progress.
   */
  load(source: ModelSource, onProgress?: Callback<LoadProgress>): Promise<ModelSummary> {
    return this.modelCalls(() => this.loadNow(source, onProgress));
  }

  private async loadNow(source: ModelSource, onProgress?: Callback<LoadProgress>): Promise<ModelSummary> {
    this.checkIdle('load');
    checkObject(source, 'load: the model source');
    const progress = throttle<LoadProgress>((p) => notify(onProgress, p), PROGRESS_INTERVAL_MS);
    let model: ModelContents;
    try {
      model = await readModel(source, { onProgress: (p) => progress.push(p), networks: ['generator'] });
      progress.flush();
    } finally {
      onProgress?.[Comlink.releaseProxy]?.();
    }
    // Build the generator on the backend that is live now (not the one a lost device leaves).
    await this.device.settled();
    this.checkIdle('load');
    const labelNames = labelNamesOf(model, describeSource(source));
    const network = generatorFromModel(model, describeSource(source));
    this.unload();
    this.generator = network;
    this.loadedModel = model;
    this.readWholeModel = isFetched(source) ? () => readModel(source, {}) : null;
    this.models++;
    return summarize(network, labelNames);
  }

  /** Saves the loaded (or trained) model under a name in the Cache API or IndexedDB. */
  async saveModel(target: ModelTarget, storage: WeightStorage = 'float32'): Promise<void> {
    checkObject(target, 'saveModel: the target');
    const model = await this.modelCalls(() => this.currentModel());
    if ('cache' in target) await saveModelToCache(target.cache, model, storage);
    else if ('indexedDb' in target) await saveModelToIndexedDb(target.indexedDb, model, storage);
    else
      throw new RuntimeError(
        `saveModel: the target must be { cache: name } or { indexedDb: name }, got ${JSON.stringify(target)}`,
        'bad-request',
      );
  }

  /**
   * The loaded model as a model folder's contents (model.json's fields and weights), e.g. to
   * save a model trained here. The arrays are transferred to the caller. `withCritic` false
   * leaves out a critic not fetched yet (what a service worker keeps to sample from).
   */
  async exportModel(withCritic = true): Promise<ModelContents> {
    const model = await this.modelCalls(async () => {
      const current = await this.currentModel(withCritic);
      // A loaded model stays here (for saveModel, exportModel again): send a copy of it.
      return current === this.loadedModel ? structuredClone(current) : current;
    });
    return Comlink.transfer(model, weightBuffers(model));
  }

  /**
   * Trains a new model (it replaces the loaded one) for request.steps generator steps, from
   * random networks or, with request.fromLoadedModel, from the loaded model's (fine-tuning).
   * Cancelling (cancel(runId), or `aborted` for a caller whose signal fired before sending)
   * stops it before its next step; it then resolves with what it did, and the model so far
   * stays loaded.
   */
  async train(
    request: TrainRequest,
    runId: number,
    onProgress?: Callback<TrainProgress>,
    aborted = false,
  ): Promise<TrainResult> {
    checkObject(request, 'train: the request');
    const { data, steps, fromLoadedModel, ...config } = request;
    const result = await this.runTrainer(
      async () => {
        const base = fromLoadedModel ? await this.currentModel() : null;
        if (config.arch == null && base == null)
          throw new RuntimeError(
            'train: arch is required, unless the run starts from the loaded model (fromLoadedModel)',
            'bad-request',
          );
        const arch = validateArch(config.arch ?? base!.architecture);
        const trainer = new Trainer({ ...config, arch, data: trainDataset(data, arch) });
        try {
          const start = base == null ? null : await startFromModel(trainer, base, 'the loaded model');
          if (start != null && 'images' in data) await checkBackground(trainer, data.images);
          return { trainer, start, steps };
        } catch (e) {
          trainer.dispose();
          throw e;
        }
      },
      runId,
      onProgress,
      aborted,
      'train',
    );
    return result;
  }

  /**
   * Few-shot fine-tuning of the loaded model on request.images (train/finetune.ts), decoded and
   * resized here, in the worker (io/image_inputs.ts): the latent components nearest the images,
   * then a short run with DiffAugment, FreezeD and an average of the generator. Progress carries
   * an ETA; `onPreview` gets a grid of samples at the start, every request.previewEveryMs and at
   * the end. The result becomes the loaded model, as train()'s does; cancelling keeps what is
   * done. Bad input (fewer than 2 images, something not an image, the other background, a label,
   * a model without its critic): a 'bad-request' RuntimeError whose `reason` is the
   * FineTuneInputError's code.
   */
  async fineTune(
    request: FineTuneRequest,
    runId: number,
    onProgress?: Callback<FineTuneProgress>,
    aborted = false,
    onPreview?: Callback<FineTunePreview>,
  ): Promise<FineTuneResult> {
    checkObject(request, 'fineTune: the request');
    const { images, steps, seed, invert, label, previewEveryMs } = request;
    let components: number[] | null = null;
    let monitor: FineTuneMonitor | null = null;
    const sendPreview = (preview: FineTunePreview) =>
      notify(onPreview, Comlink.transfer(preview, [preview.rgba.buffer]));
    try {
      const result = await this.runTrainer(
        async () => {
          const base = await this.currentModel();
          try {
            const prepared = await prepareFineTune(base, images, { steps, seed, invert, label }, 'the loaded model');
            const chosen = prepared.choice?.allowed ?? null;
            components = chosen;
            const count = prepared.images.shape[0];
            const provenance = (trainer: Trainer) =>
              fineTuneProvenance(prepared.provenance, {
                images: count,
                steps: trainer.step - prepared.startStep,
                components: chosen,
              });
            const { startStep } = prepared;
            monitor = new FineTuneMonitor(() => this.loaded(), startStep, startStep + prepared.steps, {
              onPreview: onPreview && sendPreview,
              previewEveryMs,
            });
            return { trainer: prepared.trainer, start: prepared.start, steps: prepared.steps, provenance, monitor };
          } catch (e) {
            if (e instanceof FineTuneInputError)
              throw new RuntimeError(`fineTune: ${e.message}`, 'bad-request', e.code);
            throw e;
          }
        },
        runId,
        // With a monitor, runTrainer sends the monitor's FineTuneProgress.
        onProgress as Callback<TrainProgress> | undefined,
        aborted,
        'fineTune',
      );
      return { ...result, components };
    } finally {
      onPreview?.[Comlink.releaseProxy]?.();
    }
  }

  /**
   * A run of the trainer `prepare` builds (it replaces the loaded model), for its `steps` more
   * generator steps, cancellable by `runId`; goes on across a lost WebGPU device.
   */
  private async runTrainer(
    prepare: () => Promise<{
      trainer: Trainer;
      start: TrainerState | null;
      steps: number;
      provenance?: (trainer: Trainer) => Provenance;
      /** A fine-tune's progress: its ETA and preview grids. */
      monitor?: FineTuneMonitor;
    }>,
    runId: number,
    onProgress: Callback<TrainProgress> | undefined,
    aborted: boolean,
    what: 'train' | 'fineTune',
  ): Promise<TrainResult> {
    const controller = new AbortController();
    if (aborted) controller.abort();
    let startStep = 0;
    let steps = 0;
    let monitor: FineTuneMonitor | undefined;
    const fallbacks: BackendFallback[] = [];
    // Only the swap waits its turn: samples asked for during the run draw its model as it trains.
    await this.modelCalls(async () => {
      await this.device.settled();
      this.checkIdle(what);
      // A fine-tune's start reads the new trainer back: a device lost then moves the loaded
      // model to the next backend, and the start is made again there.
      const prepared = await this.device.onLiveBackend(prepare, fallbacks);
      const { trainer, start } = prepared;
      steps = prepared.steps;
      monitor = prepared.monitor;
      this.unload();
      this.trainer = trainer;
      this.trainerProvenance = prepared.provenance ?? null;
      // A lost device's move goes on from here until the first snapshot: a fine-tuned run's
      // start is not what its config rebuilds.
      this.device.startRun(start);
      this.generator = trainer.emaGenerator ?? trainer.generator;
      this.models++;
      this.runs.set(runId, controller);
      startStep = trainer.step;
    });
    const endStep = startStep + steps;
    const progress = throttle<TrainProgress>((p) => notify(onProgress, p), PROGRESS_INTERVAL_MS);
    let last: StepMetrics | null = null;
    try {
      await monitor?.preview(startStep, null);
      // One pass per backend: a lost WebGPU device ends a pass, the next goes on from the last snapshot.
      for (;;) {
        const current = this.trainer!;
        const switches = this.device.moves;
        const pass = (async () => {
          const result = await current.run({
            steps: endStep - current.step,
            signal: controller.signal,
            onProgress: async (metrics) => {
              last = metrics;
              // Before the page hears of a step, so the state it resumes from is the one it saw.
              await this.device.snapshot(current);
              await this.runStepBoundaryReads();
              progress.push(monitor == null ? metrics : await monitor.step(metrics));
              // No step on a lost device: stop here, the loop below moves the run.
              if (this.device.isLost) throw new Error('the WebGPU device was lost');
            },
          });
          // The final state too, so a device lost after the run can rebuild this model.
          await this.device.snapshot(current, true);
          return result;
        })();
        this.device.track(pass);
        try {
          const result = await pass;
          progress.flush();
          await monitor?.preview(current.step, (result.last ?? last)?.wasserstein ?? null);
          return {
            ...result,
            stepsRun: current.step - startStep,
            last: result.last ?? last,
            fallbacks,
            model: summarize(this.generator!),
          };
        } catch (e) {
          const fallback = await this.device.fallbackAfter(switches, e);
          if (fallback == null) throw e;
          fallbacks.push(fallback);
        }
      }
    } finally {
      this.device.track(null);
      this.runs.delete(runId);
      void this.runStepBoundaryReads();
      onProgress?.[Comlink.releaseProxy]?.();
    }
  }

  /** Stops run `runId` before its next step; unknown or finished runs are ignored. */
  cancel(runId: number): void {
    this.runs.get(runId)?.abort();
  }

  sample(request: SampleRequest): Promise<SampleResult> {
    return this.modelCalls(() => this.sampleNow(request));
  }

  private async sampleNow(request: SampleRequest): Promise<SampleResult> {
    const { config } = this.loaded();
    const format = checkSampleRequest(request, { maxSamples: MAX_SAMPLES_PER_CALL, what: 'sample' });
    const options = { n: request.n, seed: request.seed, truncation: request.truncation, label: request.label };
    const labels = sampleLabels(config.labels, options);
    return this.device.onLiveBackend(async () =>
      this.generate(await sampleLatents(config.latentDim, options), format, labels),
    );
  }

  interpolate(request: InterpolateRequest): Promise<SampleResult> {
    return this.modelCalls(() => this.interpolateNow(request));
  }

  private async interpolateNow(request: InterpolateRequest): Promise<SampleResult> {
    const { config } = this.loaded();
    const { format, path } = checkInterpolateRequest(request, {
      maxSamples: MAX_SAMPLES_PER_CALL,
      what: 'interpolate',
    });
    const options = { from: request.from, to: request.to, steps: request.steps, path, truncation: request.truncation };
    const labels = interpolateLabels(config.labels, { ...options, label: request.label });
    return this.device.onLiveBackend(async () =>
      this.generate(await interpolateLatents(config, options), format, labels),
    );
  }

  /** Frees the model's tensors (and its trainer's); the backend stays up. */
  unload(): void {
    this.checkIdle('unload');
    if (this.trainer != null) this.trainer.dispose();
    else if (this.generator != null) disposeParams(this.generator.params);
    this.trainer = null;
    this.generator = null;
    this.loadedModel = null;
    this.readWholeModel = null;
    this.trainerProvenance = null;
    this.device.forgetRun();
  }

  private checkIdle(what: string): void {
    this.info();
    if (this.runs.size > 0)
      throw new RuntimeError(`${what}: a training run is in progress; wait for it or cancel it first`, 'busy');
  }

  /**
   * The loaded model's contents: the trainer's current weights, or what load() was given, with
   * its critic (read now if load() left it) unless `withCritic` is false.
   */
  private async currentModel(withCritic = true): Promise<ModelContents> {
    this.loaded();
    if (this.trainer == null && withCritic && this.readWholeModel != null) {
      const whole = await this.readWholeModel();
      this.loadedModel = whole;
      this.readWholeModel = null;
    }
    return this.device.onLiveBackend(async () =>
      this.trainer != null
        ? this.betweenSteps(() =>
            modelFromTrainer(this.trainer!, {
              ...this.trainerProvenance?.(this.trainer!),
              backend: this.info().backend,
            }),
          )
        : this.loadedModel!,
    );
  }

  /**
   * Runs `read` while the trainer stands between two steps: now when no run is going, else when
   * the run's next step ends (the run waits for it). A read in the middle of a step would mix the
   * step's new weights with its old step count, or a diverged step's weights with a good one's.
   */
  private betweenSteps<T>(read: () => Promise<T>): Promise<T> {
    if (this.runs.size === 0) return read();
    return new Promise((resolve, reject) => this.stepBoundaryReads.push(() => read().then(resolve, reject)));
  }

  private async runStepBoundaryReads(): Promise<void> {
    for (const read of this.stepBoundaryReads.splice(0)) await read();
  }

  private loaded(): Network {
    this.info();
    if (this.generator == null)
      throw new RuntimeError('no model is loaded: call load(model) or train(...) first', 'no-model');
    return this.generator;
  }

  /**
   * For a move off a lost WebGPU device (device_recovery.ts): frees the model's tensors, and
   * returns what rebuilds the model on the new backend from the CPU copies this host keeps: the
   * trainer from `state` (its last snapshot; null: a new run at its first step, which its config
   * rebuilds exactly), a loaded model from the contents load() was given.
   */
  private releaseModel(): (state: TrainerState | null) => number | null {
    const trainer = this.trainer;
    try {
      if (trainer != null) trainer.dispose();
      else if (this.generator != null) disposeParams(this.generator.params);
    } catch {
      // Freeing memory of a dead device: nothing to do if tfjs objects.
    }
    return (state) => {
      if (trainer != null && this.trainer === trainer) {
        const options = { augment: trainer.augment, frozenCriticParams: trainer.frozenCriticParams };
        this.trainer =
          state != null
            ? Trainer.fromState(state, trainer.data, options)
            : new Trainer({
                ...trainer.settings,
                loss: trainer.loss,
                arch: trainer.arch,
                data: trainer.data,
                seed: trainer.seed,
                ...options,
              });
        this.generator = this.trainer.emaGenerator ?? this.trainer.generator;
      } else if (this.trainer == null && this.loadedModel != null) {
        this.generator = generatorFromModel(this.loadedModel, 'the loaded model');
      }
      return trainer != null ? (state?.step ?? 0) : null;
    };
  }

  /**
   * The loaded network on `latents`, sent to the page by transfer (generateSamples hands back a
   * copy the host owns). The network is looked up after the latents are drawn, with no await
   * before its forward pass: a load() finishing meanwhile, or a lost device's rebuild, is seen.
   */
  private async generate(
    latents: Float32Array,
    format: SampleFormat,
    labels: Int32Array | undefined,
  ): Promise<SampleResult> {
    const result = await generateSamples(this.loaded(), latents, format, labels);
    return Comlink.transfer(result, resultBuffers(result));
  }
}

function summarize(network: Network, labelNames?: string[]): ModelSummary {
  const config = network.config;
  return {
    architecture: { ...config },
    latentDim: config.latentDim,
    outputShape: [...config.outputShape],
    generatorParams: countParams(network.params),
    ...(labelNames && { labelNames }),
  };
}

/** A fine-tune on images drawn the other way round from the model (train/background_check.ts) is refused. */
async function checkBackground(trainer: Trainer, images: ImageArray): Promise<void> {
  const mismatch = await backgroundMismatch(trainer.generator, images);
  if (mismatch == null) return;
  throw new RuntimeError(
    `train: the images have ${describeBackground(mismatch.images)} and the loaded model draws on ${describeBackground(mismatch.model)}; ` +
      'turn them to their negatives first (invertImages)',
    'bad-request',
  );
}

function trainDataset(data: TrainData, arch: ArchConfig): Dataset {
  if (data != null && 'toy' in data) return toyDataset(data.toy);
  if (data != null && 'images' in data) return imageDataset(data.images, arch.outputRange, 'train: data.images');
  throw new RuntimeError(
    `train: data must be { toy: name } or { images: { data, shape } }, got ${JSON.stringify(data)}`,
    'bad-request',
  );
}

/** Fire and forget: work does not wait for the page; a closed page is not an error. */
function notify<T>(callback: Callback<T> | undefined, value: T): void {
  if (callback) void Promise.resolve(callback(value)).catch(() => {});
}

function checkObject(value: unknown, what: string): void {
  if (value == null || typeof value !== 'object')
    throw new RuntimeError(`${what} must be an object, got ${String(value)}`, 'bad-request');
}

/** Serves a RuntimeHost on `endpoint` (the worker's global scope), with the scope's backend options. */
export function exposeRuntime(endpoint: Comlink.Endpoint, scopeOptions: ScopeBackendOptions = {}): RuntimeHost {
  installErrorTransfer();
  const host = new RuntimeHost(scopeOptions);
  Comlink.expose(host, endpoint);
  return host;
}
