/**
 * The page side of the runtime: createRuntime starts the worker (workers/gan.worker.ts), its
 * backend, and returns an object whose calls run there. No tensors and no tfjs on the page.
 *
 * Guarantees: a call either settles with the worker's answer, or rejects with a
 * RuntimeError once the worker is gone ('worker-died', 'worker-start-failed') or the runtime
 * disposed ('disposed'); none hangs. Errors keep their class (for registered classes, see
 * errors.ts) and their `code`.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer, RuntimeError } from './errors';
import type { RuntimeHost } from './host';
import { canWatchLiveness, watchLifeLock } from './liveness';
import type {
  BackendReport,
  FineTunePreview,
  FineTuneProgress,
  FineTuneRequest,
  FineTuneResult,
  InterpolateRequest,
  LoadProgress,
  ModelContents,
  ModelSource,
  ModelSummary,
  ModelTarget,
  RuntimeBackendOptions,
  SampleRequest,
  SampleResult,
  TrainProgress,
  TrainRequest,
  TrainResult,
  WeightStorage,
} from './protocol';
import { imageBuffers, sendableSource } from './transfer';

export interface RuntimeOptions extends RuntimeBackendOptions {
  /**
   * The worker running workers/gan.worker.ts: a Worker you created (your bundler's
   * `new Worker(new URL(...), { type: 'module' })`), or the URL of that module script, on this
   * origin or another one (a CDN's dist/gan.worker.js).
   */
  worker: Worker | URL | string;
}

export interface Runtime {
  /** The backend the worker picked, and why (initBackend's report). */
  info(): Promise<BackendReport>;
  /**
   * Loads a model into the worker: its contents, or a model folder URL (relative to the page),
   * or a name in the Cache API or IndexedDB, which the worker reads itself. Contents are
   * transferred, not copied: their weight arrays are left empty (detached) here.
   */
  load(source: ModelSource, options?: LoadOptions): Promise<ModelSummary>;
  /** Saves the loaded (or just trained) model under a name in the Cache API or IndexedDB, from the worker. */
  saveModel(target: ModelTarget, storage?: WeightStorage): Promise<void>;
  sample(request: SampleRequest): Promise<SampleResult>;
  interpolate(request: InterpolateRequest): Promise<SampleResult>;
  /**
   * Trains a new model in the worker, from random networks or, with `fromLoadedModel`, from
   * the loaded model's (fine-tuning); it becomes the loaded model. `onProgress` gets a step's
   * metrics at most every PROGRESS_INTERVAL_MS, and always the last step's. Aborting `signal` stops the run
   * before its next step and resolves with what it did (stopped: 'aborted'). Image data is
   * transferred, not copied: the caller's array is left empty.
   */
  train(request: TrainRequest, options?: TrainOptions): Promise<TrainResult>;
  /**
   * Few-shot fine-tuning of the loaded model on a handful (5-50) of images of one kind
   * (train/finetune.ts): Files, Blobs, ImageBitmaps, ImageData, PNG/JPEG bytes or an array,
   * decoded and resized in the worker; the latent components nearest them, then a short run with
   * DiffAugment. The result becomes the loaded model (saveModel/exportModel keep it). Progress
   * as train()'s, with `seconds` and `etaSeconds`; `onPreview` gets a grid of samples (fixed
   * latents, RGBA for ImageData) at the start, every previewEveryMs (3 s) and at the end; Stop
   * (signal) keeps the steps done. Buffers and bitmaps are transferred, not copied.
   */
  fineTune(request: FineTuneRequest & FineTuneOptions): Promise<FineTuneResult>;
  /** The loaded (or just trained) model as a model folder's contents, ready to save or load elsewhere. */
  exportModel(): Promise<ModelContents>;
  /** Ends the worker and frees everything it held; later calls reject with 'disposed'. */
  dispose(): void;
}

export interface LoadOptions {
  /** URL downloads: bytes received so far and in all, at most every PROGRESS_INTERVAL_MS. */
  onProgress?: (progress: LoadProgress) => void;
}

export interface TrainOptions {
  onProgress?: (progress: TrainProgress) => void;
  signal?: AbortSignal;
}

export interface FineTuneOptions {
  onProgress?: (progress: FineTuneProgress) => void;
  onPreview?: (preview: FineTunePreview) => void;
  signal?: AbortSignal;
}

export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  installErrorTransfer();
  const { worker: workerOption, ...backendOptions } = options;
  if (typeof Worker !== 'function') {
    throw new RuntimeError(
      'createRuntime needs Web Workers (a browser page); in Node, call initBackend and the trainer directly',
      'worker-start-failed',
    );
  }
  const worker = workerOption instanceof Worker ? workerOption : startWorker(workerOption);
  const remote = Comlink.wrap<RuntimeHost>(worker);

  let failure: RuntimeError | null = null;
  let fail: (error: RuntimeError) => void = () => {};
  /** Rejects when the worker is gone or the runtime disposed: every call races it. */
  const gone = new Promise<never>((_, reject) => {
    fail = (error) => {
      if (failure != null) return;
      failure = error;
      reject(error);
    };
  });
  gone.catch(() => {});
  let stopWatching = () => {};

  let started = false;
  const onWorkerError = (event: ErrorEvent) => {
    // Before init answers, an error event means the script failed to load or to run.
    if (started) return;
    event.preventDefault();
    const detail = event.message || `could not load ${describeWorker(workerOption)}`;
    fail(new RuntimeError(`the runtime worker failed to start: ${detail}`, 'worker-start-failed'));
    worker.terminate();
  };
  worker.addEventListener('error', onWorkerError);

  const guarded = <T>(call: () => Promise<T>): Promise<T> => {
    if (failure != null) return Promise.reject(failure);
    return Promise.race([call(), gone]);
  };

  const lifeLockName = canWatchLiveness() ? `wgan-edge-runtime-${crypto.randomUUID()}` : undefined;
  try {
    const report = await guarded(() => remote.init(backendOptions, lifeLockName));
    if (report.warning != null) console.warn(report.warning);
  } catch (e) {
    worker.terminate();
    throw e;
  }
  started = true;
  if (lifeLockName != null) {
    stopWatching = watchLifeLock(lifeLockName, () =>
      fail(
        new RuntimeError(
          'the runtime worker stopped (terminated, crashed or out of memory) before answering',
          'worker-died',
        ),
      ),
    );
  }

  let nextRunId = 1;
  /** A run in the worker under a run id, which `signal` cancels before its next step. */
  const cancellable = async <R>(
    signal: AbortSignal | undefined,
    start: (runId: number, aborted: boolean | undefined) => Promise<R>,
  ): Promise<R> => {
    const runId = nextRunId++;
    const cancel = () => void guarded(() => remote.cancel(runId)).catch(() => {});
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await guarded(() => start(runId, signal?.aborted));
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  };
  const progressProxy = <T>(onProgress?: (value: T) => void) => (onProgress ? Comlink.proxy(onProgress) : undefined);
  const train = (request: TrainRequest, { onProgress, signal }: TrainOptions = {}): Promise<TrainResult> =>
    cancellable(signal, (runId, aborted) =>
      remote.train(Comlink.transfer(request, imageBuffers(request)), runId, progressProxy(onProgress), aborted),
    );
  const fineTune = ({
    onProgress,
    onPreview,
    signal,
    ...request
  }: FineTuneRequest & FineTuneOptions): Promise<FineTuneResult> =>
    cancellable(signal, (runId, aborted) =>
      remote.fineTune(
        Comlink.transfer(request, imageBuffers(request)),
        runId,
        progressProxy(onProgress),
        aborted,
        progressProxy(onPreview),
      ),
    );

  return {
    info: () => guarded(() => remote.info()),
    load: (source, { onProgress } = {}) =>
      guarded(() => remote.load(sendableSource(source), progressProxy(onProgress))),
    saveModel: (target, storage) => guarded(() => remote.saveModel(target, storage)),
    sample: (request) => guarded<SampleResult>(() => remote.sample(request)),
    interpolate: (request) => guarded<SampleResult>(() => remote.interpolate(request)),
    train,
    fineTune,
    exportModel: () => guarded(() => remote.exportModel()),
    dispose() {
      stopWatching();
      fail(new RuntimeError('the runtime was disposed', 'disposed'));
      worker.removeEventListener('error', onWorkerError);
      worker.terminate();
    },
  };
}

/**
 * The worker module at `url`. A page may not start a worker from another origin (a CDN), but a
 * same-origin blob module may import it: the worker then finds its .wasm files beside the
 * script on that origin (which must send CORS headers, as CDNs do).
 */
function startWorker(url: URL | string): Worker {
  const href = new URL(url, location.href);
  if (href.origin === location.origin) return new Worker(href, { type: 'module' });
  const trampoline = URL.createObjectURL(
    new Blob([`import ${JSON.stringify(href.href)};`], { type: 'text/javascript' }),
  );
  return new Worker(trampoline, { type: 'module' });
}

function describeWorker(worker: Worker | URL | string): string {
  return worker instanceof Worker ? 'the given worker' : String(worker);
}
