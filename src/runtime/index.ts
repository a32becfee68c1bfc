/**
 * The runtime's page-side entry: no tfjs here, the model runs in the worker. The worker and
 * service-worker scripts are workers/gan.worker.ts and workers/gan.sw.ts.
 *
 * @module wgan-edge/runtime
 */
export { createRuntime } from './client';
/** Architecture configs for train() requests (plain data, no tfjs). */
export { archConfig, DEFAULT_ARCHS } from '../models/config';
export type { ArchConfig } from '../models/config';
export type { ToyName } from '../data/toy';
export type { LossName } from '../losses/settings';
/** Preparing a page's own images for train() (plain arrays, no tfjs). */
export {
  toImageArray,
  backgroundLevels,
  backgroundOf,
  backgroundsDisagree,
  invertImages,
  BACKGROUND_MISMATCH,
  type DecodedImage,
  type Pixels,
} from '../data/image_pixels';
export type { FineTuneOptions, LoadOptions, Runtime, RuntimeOptions, TrainOptions } from './client';
export { connectServiceWorker } from './service_worker_client';
export type { ServiceWorkerRuntime } from './service_worker_client';
export { registerErrorClass, RuntimeError } from './errors';
/** The errors the worker's calls reject with keep their class across the boundary: catch them by class. */
export { BackendError, type BackendErrorCode } from '../backend/errors';
export { ModelFormatError, type ModelFormatErrorCode } from '../io/format';
export { ModelStorageError, type ModelStorageErrorCode } from '../io/storage_files';
export { ConfigError, type ConfigErrorCode } from '../utils/errors';
export type { RuntimeErrorCode } from './errors';
export { PROGRESS_INTERVAL_MS, SAMPLE_FORMATS, SAMPLE_PATH } from './protocol';
export type {
  BackendFallback,
  BackendReport,
  FineTuneImage,
  FineTuneImages,
  FineTunePreview,
  FineTuneProgress,
  FineTuneRequest,
  FineTuneResult,
  ImageArray,
  InterpolateRequest,
  InterpolationPath,
  LoadProgress,
  ModelContents,
  ModelFiles,
  ModelSource,
  ModelSummary,
  ModelTarget,
  RuntimeBackendOptions,
  SampleFormat,
  SampleRequest,
  SampleResult,
  TrainData,
  TrainProgress,
  TrainRequest,
  TrainResult,
  WeightStorage,
} from './protocol';
