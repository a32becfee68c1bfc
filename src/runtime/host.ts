/**
 * The worker side of the runtime: owns the tfjs backend and the model, answers the page's
 * calls (through Comlink, see client.ts). Runs in a dedicated worker; the page never touches
 * tensors.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import '../backend/gradients';
import '../backend/kernels';
import { initBackend, type BackendReport } from '../backend/init';
import type { Dataset } from '../data/dataset';
import { imageDataset } from '../data/images';
import { toyDataset } from '../data/toy';
import { generatorFromModel, modelFromTrainer } from '../io/networks';
import { loadModelFromCache, saveModelToCache } from '../io/storage_cache';
import { loadModelFromIndexedDb, saveModelToIndexedDb } from '../io/storage_indexeddb';
import { loadModelFromUrl } from '../io/storage_url';
import { validateArch, type ArchConfig } from '../models/config';
import type { Network } from '../models/network';
import { countParams, disposeParams } from '../nn/params';
import { installErrorTransfer, RuntimeError } from './errors';
import { checkSeed, latentPath, seededLatents } from '../sample/latent_paths';
import { holdLifeLock } from './liveness';
import {
  PROGRESS_INTERVAL_MS,
  SAMPLE_FORMATS,
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
import { renderSamples, resultBuffers } from '../sample/render';
import { throttle } from './throttle';
import { weightBuffers } from './transfer';
import { Trainer } from '../train/trainer';

/** Largest batch one sample() call draws: bounds the worker's memory per call. */
export const MAX_SAMPLES_PER_CALL = 1024;

/** A page callback: a Comlink proxy across the boundary, a plain function in tests. */
type Callback<T> = ((value: T) => unknown) & { [Comlink.releaseProxy]?: () => void };

export class RuntimeHost {
  private report: BackendReport | null = null;
  private generator: Network | null = null;
  /** Where the loaded generator came from: a run here, or a model given to load(). */
  private trainer: Trainer | null = null;
  private loadedModel: ModelContents | null = null;
  /** Counts the models this host has held: tells a cache whether the model is still the one it loaded. */
  private models = 0;
  /** Runs in progress by the page's run id, so cancel() can reach them. */
  private readonly runs = new Map<number, AbortController>();

  /**
   * Starts the backend. `lifeLockName`: a Web Lock this worker holds until it ends, so the
   * page can tell when it is gone (see liveness.ts).
   */
  async init(options: RuntimeBackendOptions, lifeLockName?: string): Promise<BackendReport> {
    if (lifeLockName != null) await holdLifeLock(lifeLockName);
    // One backend per scope: a service worker serves several pages, the first one picks it.
    this.report ??= await initBackend(options);
    return this.report;
  }

  /** Changes whenever load() or train() replaces the model. */
  get modelVersion(): number {
    return this.models;
  }

  info(): BackendReport {
    if (this.report == null) throw new RuntimeError('the runtime has not started its backend yet, so no model is loaded: call init, then load a model', 'not-started');
    return this.report;
  }

  /**
   * Loads a model (see ModelSource) and keeps its generator. URL downloads report their
   * progress (bytes) to `onProgress`, throttled like training progress.
   */
  async load(source: ModelSource, onProgress?: Callback<LoadProgress>): Promise<ModelSummary> {
    this.checkIdle('load');
    checkObject(source, 'load: the model source');
    const progress = throttle<LoadProgress>((p) => notify(onProgress, p), PROGRESS_INTERVAL_MS);
    let model: ModelContents;
    try {
      model = await readModel(source, (p) => progress.push(p));
      progress.flush();
    } finally {
      onProgress?.[Comlink.releaseProxy]?.();
    }
    this.checkIdle('load');
    const network = generatorFromModel(model, describeSource(source));
    this.unload();
    this.generator = network;
    this.loadedModel = model;
    this.models++;
    return summarize(network);
  }

  /** Saves the loaded (or trained) model under a name in the Cache API or IndexedDB. */
  async saveModel(target: ModelTarget, storage: WeightStorage = 'float32'): Promise<void> {
    checkObject(target, 'saveModel: the target');
    const model = await this.currentModel();
    if ('cache' in target) await saveModelToCache(target.cache, model, storage);
    else if ('indexedDb' in target) await saveModelToIndexedDb(target.indexedDb, model, storage);
    else throw new RuntimeError(`saveModel: the target must be { cache: name } or { indexedDb: name }, got ${JSON.stringify(target)}`, 'bad-request');
  }

  /**
   * The loaded model as a model folder's contents (model.json's fields and weights), e.g. to
   * save a model trained here. The arrays are transferred to the caller.
   */
  async exportModel(): Promise<ModelContents> {
    const current = await this.currentModel();
    // A loaded model stays here (for saveModel, exportModel again): send a copy of it.
    const model = current === this.loadedModel ? structuredClone(current) : current;
    return Comlink.transfer(model, weightBuffers(model));
  }

  /**
   * Trains a new model (it replaces the loaded one) for request.steps generator steps.
   * Cancelling (cancel(runId), or `aborted` for a caller whose signal fired before sending)
   * stops it before its next step; it then resolves with what it did, and the model so far
   * stays loaded.
   */
  async train(request: TrainRequest, runId: number, onProgress?: Callback<TrainProgress>, aborted = false): Promise<TrainResult> {
    this.checkIdle('train');
    checkObject(request, 'train: the request');
    const { data, steps, ...config } = request;
    const arch = validateArch(config.arch);
    const trainer = new Trainer({ ...config, data: trainDataset(data, arch) });
    this.unload();
    this.trainer = trainer;
    this.generator = trainer.emaGenerator ?? trainer.generator;
    this.models++;
    const controller = new AbortController();
    if (aborted) controller.abort();
    this.runs.set(runId, controller);
    const progress = throttle<TrainProgress>((p) => notify(onProgress, p), PROGRESS_INTERVAL_MS);
    try {
      const result = await trainer.run({
        steps,
        signal: controller.signal,
        onProgress: async (metrics) => {
          progress.push(metrics);
          // Let queued messages (cancel, sample) run between steps.
          await yieldToEventLoop();
        },
      });
      progress.flush();
      return { ...result, model: summarize(this.generator) };
    } finally {
      this.runs.delete(runId);
      onProgress?.[Comlink.releaseProxy]?.();
    }
  }

  /** Stops run `runId` before its next step; unknown or finished runs are ignored. */
  cancel(runId: number): void {
    this.runs.get(runId)?.abort();
  }

  async sample(request: SampleRequest): Promise<SampleResult> {
    const { config } = this.loaded();
    checkObject(request, 'sample: the request');
    const format = checkFormat(request.format);
    const n = request.n;
    if (!Number.isInteger(n) || n < 1 || n > MAX_SAMPLES_PER_CALL) {
      throw new RuntimeError(`sample: n must be an integer in [1, ${MAX_SAMPLES_PER_CALL}], got ${n}`, 'bad-request');
    }
    const z = await seededLatents(n, config.latentDim, request.seed, request.truncation);
    return this.generate(z, n, format);
  }

  async interpolate(request: InterpolateRequest): Promise<SampleResult> {
    const { config } = this.loaded();
    checkObject(request, 'interpolate: the request');
    const format = checkFormat(request.format);
    checkSeed(request.from, 'interpolate: from');
    checkSeed(request.to, 'interpolate: to');
    const path = request.path ?? 'slerp';
    if (path !== 'slerp' && path !== 'linear') throw new RuntimeError(`interpolate: path must be 'slerp' or 'linear', got ${JSON.stringify(path)}`, 'bad-request');
    if (!Number.isInteger(request.steps) || request.steps < 2 || request.steps > MAX_SAMPLES_PER_CALL) {
      throw new RuntimeError(`interpolate: steps must be an integer in [2, ${MAX_SAMPLES_PER_CALL}], got ${request.steps}`, 'bad-request');
    }
    const a = await seededLatents(1, config.latentDim, request.from, request.truncation);
    const b = await seededLatents(1, config.latentDim, request.to, request.truncation);
    return this.generate(latentPath(a, b, request.steps, path), request.steps, format);
  }

  /** Frees the model's tensors (and its trainer's); the backend stays up. */
  unload(): void {
    this.checkIdle('unload');
    if (this.trainer != null) this.trainer.dispose();
    else if (this.generator != null) disposeParams(this.generator.params);
    this.trainer = null;
    this.generator = null;
    this.loadedModel = null;
  }

  private checkIdle(what: string): void {
    this.info();
    if (this.runs.size > 0) throw new RuntimeError(`${what}: a training run is in progress; wait for it or cancel it first`, 'busy');
  }

  /** The loaded model's contents: the trainer's current weights, or what load() was given. */
  private async currentModel(): Promise<ModelContents> {
    this.loaded();
    return this.trainer != null ? modelFromTrainer(this.trainer, { backend: this.info().backend }) : this.loadedModel!;
  }

  private loaded(): Network {
    this.info();
    if (this.generator == null) throw new RuntimeError('no model is loaded: call load(model) or train(...) first', 'no-model');
    return this.generator;
  }

  private async generate(latents: Float32Array, n: number, format: SampleFormat): Promise<SampleResult> {
    const network = this.loaded();
    const config = network.config;
    const out = tf.tidy(() => network.apply(network.params, tf.tensor2d(latents, [n, config.latentDim])));
    // data() may hand back the backend's own buffer (cpu): copy before transferring it away.
    const values = (await out.data<'float32'>()).slice();
    const shape = [...out.shape];
    out.dispose();
    const result = renderSamples(values, shape, config.outputRange, format);
    return Comlink.transfer(result, resultBuffers(result));
  }
}

function summarize(network: Network): ModelSummary {
  const config = network.config;
  return {
    architecture: { ...config },
    latentDim: config.latentDim,
    outputShape: [...config.outputShape],
    generatorParams: countParams(network.params),
  };
}

function trainDataset(data: TrainData, arch: ArchConfig): Dataset {
  if (data != null && 'toy' in data) return toyDataset(data.toy);
  if (data != null && 'images' in data) return imageDataset(data.images, arch.outputRange, 'train: data.images');
  throw new RuntimeError(`train: data must be { toy: name } or { images: { data, shape } }, got ${JSON.stringify(data)}`, 'bad-request');
}

/** A macrotask boundary (a MessageChannel round trip: not clamped like nested timers). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Fire and forget: work does not wait for the page; a closed page is not an error. */
function notify<T>(callback: Callback<T> | undefined, value: T): void {
  if (callback) void Promise.resolve(callback(value)).catch(() => {});
}

function readModel(source: ModelSource, onProgress: (progress: LoadProgress) => void): Promise<ModelContents> {
  if ('url' in source) return loadModelFromUrl(source.url, { onProgress });
  if ('cache' in source) return loadModelFromCache(source.cache);
  if ('indexedDb' in source) return loadModelFromIndexedDb(source.indexedDb);
  return Promise.resolve(source);
}

function describeSource(source: ModelSource): string {
  if ('url' in source) return source.url;
  if ('cache' in source) return `cache:${source.cache}`;
  if ('indexedDb' in source) return `indexedDb:${source.indexedDb}`;
  return 'load(model)';
}

function checkObject(value: unknown, what: string): void {
  if (value == null || typeof value !== 'object') throw new RuntimeError(`${what} must be an object, got ${String(value)}`, 'bad-request');
}

function checkFormat(format: SampleFormat | undefined): SampleFormat {
  const f = format ?? 'float32';
  if (!SAMPLE_FORMATS.includes(f)) throw new RuntimeError(`format must be one of ${SAMPLE_FORMATS.join(', ')}, got ${JSON.stringify(format)}`, 'bad-request');
  return f;
}

/** Serves a RuntimeHost on `endpoint` (the worker's global scope by default). */
export function exposeRuntime(endpoint: Comlink.Endpoint = self as unknown as Comlink.Endpoint): RuntimeHost {
  installErrorTransfer();
  const host = new RuntimeHost();
  Comlink.expose(host, endpoint);
  return host;
}
