/**
 * What crosses the worker boundary: the requests the page sends and the results the worker
 * returns. Plain, structured-clonable data only; large arrays travel as transfers.
 */
import type { BackendName, BackendOptions, BackendReport } from '../backend/init';
import type { ImageArray } from '../data/images';
import type { ToyName } from '../data/toy';
import type { ModelContents } from '../io/codec';
import type { FineTunePreview, FineTuneProgress } from '../io/finetune';
import type { WeightStorage } from '../io/format';
import type { FineTuneImage, FineTuneImages } from '../io/image_inputs';
import type { LoadProgress, ModelFiles } from '../io/storage_url';
import type { LossName, TrainSettings } from '../losses/settings';
import type { ArchConfig } from '../models/config';
import type { InterpolationPath } from '../sample/latent_paths';
import type { SampleFormat, SampleResult } from '../sample/render';
import type { RunResult, StepMetrics } from '../train/trainer';

export type {
  BackendReport,
  InterpolationPath,
  FineTuneImage,
  FineTuneImages,
  FineTunePreview,
  FineTuneProgress,
  ImageArray,
  LoadProgress,
  ModelContents,
  ModelFiles,
  WeightStorage,
};

/** Options of the backend the worker starts (initBackend's, sent to the worker). */
export type RuntimeBackendOptions = Pick<BackendOptions, 'backend' | 'threads' | 'wasmPaths' | 'allowSoftwareWebGpu'>;

export { SAMPLE_FORMATS, type SampleFormat, type SampleResult } from '../sample/render';

export interface SampleRequest {
  n: number;
  /** The same seed gives the same latents on every backend. */
  seed: number;
  /**
   * Truncation trick (BigGAN): latent values beyond +-truncation are redrawn, trading
   * variety for quality. Omitted: plain N(0, I) latents.
   */
  truncation?: number;
  format?: SampleFormat;
  /**
   * A conditional model's class for every sample (0 to its labels - 1); omitted, each sample's
   * label is drawn uniformly from the seed. An unconditional model refuses it (a ConfigError, 'bad-label').
   */
  label?: number;
}

export interface InterpolateRequest {
  /** Seeds of the two end latents. */
  from: number;
  to: number;
  /** Samples along the path, ends included (at least 2). */
  steps: number;
  /** slerp (the default) keeps the path at the typical norm of Gaussian latents; linear cuts through the middle. */
  path?: InterpolationPath;
  truncation?: number;
  format?: SampleFormat;
  /** A conditional model's class along the path; omitted, the label sample() gives seed `from` first. */
  label?: number;
}

/**
 * Where load() takes a model from: its contents (e.g. a trainer's export), a model folder
 * served over HTTP(S), a shipped model's module (`import mnist from 'wgan-edge/models/mnist'`:
 * its files' URLs), or a model saved under a name in the Cache API or IndexedDB (the worker
 * reads these itself: the weights never pass through the page).
 */
export type ModelSource = ModelContents | { url: string } | ModelFiles | { cache: string } | { indexedDb: string };

/** Where saveModel() stores the loaded model, under a name. */
export type ModelTarget = { cache: string } | { indexedDb: string };

/** What the worker holds after load(). */
export interface ModelSummary {
  architecture: Record<string, unknown>;
  latentDim: number;
  outputShape: number[];
  generatorParams: number;
  /** A class-conditional model's name for each label (label k is labelNames[k]), where it names them. */
  labelNames?: string[];
}

/** Training data, described so it can cross to the worker: a toy set by name, or images (transferred). */
export type TrainData = { toy: ToyName } | { images: ImageArray };

/** A training run: the Trainer's config (any TrainSettings field overrides the loss's default) plus its length. */
export interface TrainRequest extends Partial<TrainSettings> {
  loss: LossName;
  /** The networks to train; a fine-tuning run (fromLoadedModel) takes the model's when absent. */
  arch?: ArchConfig;
  data: TrainData;
  /** Seeds the weights and every draw of the run: an integer in [0, 2^32). */
  seed: number;
  /** Generator steps to run. */
  steps: number;
  /**
   * Fine-tuning: start from the loaded model's generator and critic (what load() or the last run
   * left) instead of random ones, as `wgan-edge train --init` does. The model needs its critic;
   * its step count goes on; the optimizers start fresh.
   */
  fromLoadedModel?: boolean;
}

/**
 * Few-shot fine-tuning of the loaded model (runtime.fineTune, train/finetune.ts) on a handful
 * (5-50) of images of one kind: Files, Blobs, ImageBitmaps, ImageData or PNG/JPEG bytes (decoded
 * in the worker), or an { data, shape } array; resized to the model's size, colour turned to
 * grey for a grey model (io/image_inputs.ts). Buffers and bitmaps are transferred, not copied.
 */
export interface FineTuneRequest {
  images: FineTuneImages;
  /** Generator steps (default FINE_TUNE_DEFAULTS.steps: about a minute of one WASM thread on mnist). */
  steps?: number;
  /** Seeds the choice of components' samples and the run. Default 0. */
  seed?: number;
  /** Turn the images to their negatives first (ink on paper for MNIST's light-on-dark digits). */
  invert?: boolean;
  /** The class of a conditional model to tune toward (refused, reason 'not-conditional', for an unconditional one). */
  label?: number;
  /** Milliseconds between preview grids (default PREVIEW.everyMs, 3 s). */
  previewEveryMs?: number;
}

/** How a fine-tune ended, as TrainResult, and the latent components it kept (null: a model without a mixture). */
export interface FineTuneResult extends TrainResult {
  components: number[] | null;
}

export type TrainProgress = StepMetrics;
/** Progress reaches the page at most this often (the last step always arrives). */
export const PROGRESS_INTERVAL_MS = 100;

/** A move off a backend that stopped working under the runtime: so far, a lost WebGPU device. */
export interface BackendFallback {
  from: 'webgpu';
  /** WASM, or CPU where WASM cannot start. */
  to: BackendName;
  /** Generator steps done in the state the run went on from (its last snapshot); null for a loaded model. */
  atStep: number | null;
  /** Why: the device's lost reason and message. */
  reason: string;
}

/** How the run ended (completed, or aborted with the steps it had done) and the model it left loaded. */
export interface TrainResult extends RunResult {
  model: ModelSummary;
  /** Backend moves during the run, in order; empty when it ended where it started. */
  fallbacks: BackendFallback[];
}

/** The path, under a service worker's scope, that serves sample PNGs (?n=&seed=&truncation=&label=). */
export const SAMPLE_PATH = 'wgan-edge/sample';
/** The message that hands a service worker a MessagePort to serve the runtime on. */
export const CONNECT_MESSAGE = 'wgan-edge/connect';

/**
 * What a page reaches over connectServiceWorker's channel. init starts the backend with the
 * options in the worker's script URL; `lifeLockName`: a Web Lock the worker holds while it
 * lives, so the page knows when the browser has stopped it.
 */
export interface ServiceWorkerPageApi {
  init(lifeLockName?: string): Promise<BackendReport>;
  info(): BackendReport;
  load(source: ModelSource): Promise<ModelSummary>;
  sample(request: SampleRequest): Promise<SampleResult>;
}
