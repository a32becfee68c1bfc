/**
 * The model folder format: `model.json` plus weight shards in the tfjs weights-manifest
 * binary layout (each shard is the weights of its group, concatenated in manifest order).
 * Quantisation follows tfjs's manifest convention, so tfjs's own loaders can read the shards.
 */

export const MODEL_FORMAT = 'wgan-edge/model';
export const MODEL_FORMAT_VERSION = 1;
export const MODEL_JSON = 'model.json';

/** How weights are stored on disk; in memory they are always float32. */
export type WeightStorage = 'float32' | 'float16' | 'uint8';
export const WEIGHT_STORAGES: readonly WeightStorage[] = ['float32', 'float16', 'uint8'];

export type { NamedArray, NamedArrays } from '../nn/params';

/** The storage a model.json's generator weights are kept in (a model folder uses one storage throughout). */
export function storageOf(json: Pick<ModelJson, 'weightsManifest'>): WeightStorage {
  const generator = json.weightsManifest.find((group) => group.network === 'generator');
  return generator?.weights[0]?.quantization?.dtype ?? 'float32';
}

export interface WeightQuantization {
  dtype: 'float16' | 'uint8';
  /** uint8 only: value = q * scale + min. */
  scale?: number;
  min?: number;
}

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization?: WeightQuantization;
}

/** A model folder holds a generator and maybe a critic; a classifier file holds a classifier. */
export type NetworkKind = 'generator' | 'critic' | 'classifier';

export interface WeightGroup {
  /** Which network the group belongs to. */
  network: NetworkKind;
  paths: string[];
  /** Lower-case hex SHA-256 of each file in `paths`, checked at load. */
  sha256: string[];
  weights: WeightEntry[];
}

/** Where a model came from and how good it is: the model card's facts. */
export interface Provenance {
  dataset?: string;
  loss?: string;
  steps?: number;
  seed?: number;
  backend?: string;
  seconds?: number;
  metrics?: Record<string, number>;
  [key: string]: unknown;
}

export interface ModelJson {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  /** The architecture config the networks are rebuilt from (see src/models). */
  architecture: Record<string, unknown>;
  latentDim: number;
  outputShape: number[];
  /** The generator's value range, or null when its output is unbounded (2-D points). */
  outputRange: [number, number] | null;
  provenance: Provenance;
  weightsManifest: WeightGroup[];
}

export type ModelFormatErrorCode =
  | 'not-a-model'
  | 'unsupported-version'
  | 'missing-file'
  /** A device, FIFO or folder where a file should be: refused unread. */
  | 'not-a-file'
  /** Larger than its manifest (or the manifest limit) allows: refused unread. */
  | 'too-large'
  | 'truncated'
  | 'checksum'
  | 'missing-weight'
  | 'extra-weight'
  | 'shape'
  | 'dtype'
  | 'non-finite';

/** A model file is unusable; `file` names the file at fault where there is one. */
export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
  constructor(
    message: string,
    readonly code: ModelFormatErrorCode,
    readonly file?: string,
  ) {
    super(message);
  }
}
