/**
 * wgan-edge: the public API. Importing it puts the gradient layer and the WASM kernels in force.
 * The building blocks under it (the losses' terms, parameter plumbing, the RNG, the fine-tune's
 * steps) are `wgan-edge/internals` (src/internals.ts): no promise that they stay as they are.
 *
 * @module wgan-edge
 */
import './backend/gradients';
import './backend/kernels';

// Backends
export { initBackend, BACKEND_PREFERENCES } from './backend/init';
export type { BackendOptions, BackendReport, BackendName, BackendPreference, AdapterReport } from './backend/init';
export { BackendError, type BackendErrorCode } from './backend/errors';

// Networks
export { createGenerator, createCritic } from './models';
export { archConfig, validateArch, DEFAULT_ARCHS, ARCH_KINDS } from './models/config';
export type { ArchConfig, ArchKind, MlpArch, Dcgan28Arch, Dcgan32Arch, OutputRange, CriticNorm } from './models/config';
export type { Network } from './models/network';
export { disposeParams, countParams } from './nn/params';
export type { Params, ParamTensors, NamedArray, NamedArrays } from './nn/params';

// Losses and training
export { defaultsFor } from './losses';
export { LOSS_NAMES, validateSettings } from './losses/settings';
export type { LossName, TrainSettings, Curriculum, CriticWarmup } from './losses/settings';
export { Trainer, TrainingDivergedError } from './train/trainer';
export { backgroundMismatch } from './train/background_check';
export { FineTuneInputError, FINE_TUNE_DEFAULTS, MIN_FINE_TUNE_IMAGES } from './train/finetune';
export type { FineTuneOptions } from './train/finetune';
export { fineTune } from './io/finetune';
export type { FineTuneResult } from './io/finetune';
export type { DiffAugmentPolicy } from './train/diff_augment';
export type { TrainerConfig, StepMetrics, RunOptions, RunResult } from './train/trainer';
export { TRAINER_STATE_FORMAT, TRAINER_STATE_VERSION } from './train/state';
export type { TrainerState } from './train/state';
export type { RngState } from './utils/rng';
export { ConfigError, type ConfigErrorCode, type FineTuneInputCode } from './utils/errors';

// Data and metrics
export { toyDataset, toyMixture, toyPoints, TOY_NAMES } from './data/toy';
export type { ToyName, GaussianMixture } from './data/toy';
export { imageDataset, type ImageArray, type ImageLabels } from './data/images';
export type { Dataset, LabelledParts } from './data/dataset';
export { modeCoverage, generatorModeCoverage, type ModeReport } from './metrics/modes';
export { exactW1, generatorW1 } from './metrics/wasserstein';
export { frechetDistance } from './metrics/frechet';
export { nearestShotRatio, pickShots, type NearestShotRatio } from './metrics/few_shot';
export {
  classifierQuality,
  generatorClassifierQuality,
  generatorLabelAccuracy,
  type ClassifierQuality,
} from './metrics/classifier_quality';

// Sampling
export { seededLatents, latentPath, type InterpolationPath } from './sample/latent_paths';
export { SAMPLE_FORMATS, type SampleFormat, type SampleResult } from './sample/render';
export {
  generateSamples,
  sampleGenerator,
  interpolateGenerator,
  sampleLatents,
  interpolateLatents,
  sampleLabels,
  interpolateLabels,
} from './sample/generate';
export type { SampleOf, SampleOptions, InterpolateOptions } from './sample/generate';
export { encodePng, imageGrid } from './sample/png';
export type { Raster } from './viz/raster';

// Model files
export { encodeModel, decodeModel, type ModelContents } from './io/codec';
export {
  ModelFormatError,
  MODEL_FORMAT_VERSION,
  type ModelJson,
  type WeightStorage,
  type Provenance,
} from './io/format';
export { generatorFromModel, labelNamesOf, labelsAsComponents, modelFromTrainer, startFromModel } from './io/networks';
export { ModelStorageError } from './io/storage_files';
export { loadModelFromUrl } from './io/storage_url';
export { saveModelToCache, loadModelFromCache, deleteModelFromCache } from './io/storage_cache';
export { saveModelToIndexedDb, loadModelFromIndexedDb, deleteModelFromIndexedDb } from './io/storage_indexeddb';
export { decodeImage } from './io/image_files';
export {
  toImageArray,
  backgroundLevels,
  backgroundOf,
  backgroundsDisagree,
  invertImages,
  BACKGROUND_MISMATCH,
  type DecodedImage,
  type Pixels,
} from './data/image_pixels';
