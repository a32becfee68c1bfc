/**
 * Architecture configs: JSON-serialisable descriptions from which createGenerator /
 * createCritic rebuild a network. A model file stores one of these next to the named weights.
 */

import { ConfigError } from '../utils/errors';
export type ArchKind = 'mlp' | 'dcgan28' | 'dcgan32';
export const ARCH_KINDS: readonly ArchKind[] = ['mlp', 'dcgan28', 'dcgan32'];

/** Critic normalisation. Never batch norm: it couples the samples the per-sample penalty needs apart. */
export type CriticNorm = 'none' | 'layer';
/** How a DCGAN generator doubles its resolution (models/resample.ts); absent: 'transposed'. */
export type Upsample = 'transposed' | 'nearest' | 'bilinear';
export const UPSAMPLES: readonly Upsample[] = ['transposed', 'nearest', 'bilinear'];
/** How a DCGAN critic halves its resolution (models/resample.ts); absent: 'strided'. */
export type CriticDownsample = 'strided' | 'avgpool';
export const CRITIC_DOWNSAMPLES: readonly CriticDownsample[] = ['strided', 'avgpool'];
/** The generator's output range: null is linear (2-D data), [0, 1] sigmoid, [-1, 1] tanh. */
export type OutputRange = null | [0, 1] | [-1, 1];

interface ArchBase {
  latentDim: number;
  /** K >= 2: the generator reads its latent as a mixture of K separated Gaussians (latent_mixture.ts); absent: as it is. */
  latentComponents?: number;
  /**
   * With latentComponents: the components the generator draws from, ascending (the argmax of
   * the latent's first K values runs over these only); absent: all K. A few-shot fine-tune
   * (train/finetune.ts) keeps those nearest its images.
   */
  latentComponentsAllowed?: number[];
  /**
   * With latentComponents: A points of the noise space (latentDim - K values each) that replace
   * the centres, and the spread of the noise around them (latent_mixture.ts). A few-shot
   * fine-tune (train/finetune.ts) puts them among the images' inversions.
   */
  latentAnchors?: { points: number[][]; spread: number };
  /**
   * L >= 2: a class-conditional pair over labels 0..L-1. The generator reads a one-hot label
   * beside its latent, the critic scores by projection (Miyato and Koyama 2018): head(h) +
   * <embed(y), h>. Absent: unconditional (every model.json before labels existed).
   */
  labels?: number;
  /** One sample's shape: [d] for vectors, [height, width, channels] for images. */
  outputShape: number[];
  outputRange: OutputRange;
  criticNorm: CriticNorm;
}

/** Fully connected pair (the WGAN-GP authors' toy: 3 hidden layers of ReLU units, 2-D latent). */
export interface MlpArch extends ArchBase {
  kind: 'mlp';
  hidden: number;
  depth: number;
}

/** Resolution changes of the DCGAN pairs; absent in model files written before they existed. */
interface DcganResampling {
  upsample?: Upsample;
  criticDownsample?: CriticDownsample;
}

/** DCGAN-style pair for 28x28xC (the WGAN-GP authors' gan_mnist.py); `dim` is their DIM. */
export interface Dcgan28Arch extends ArchBase, DcganResampling {
  kind: 'dcgan28';
  dim: number;
}

/** DCGAN-style pair for 32x32xC (the WGAN-GP authors' gan_cifar.py, without batch norm). */
export interface Dcgan32Arch extends ArchBase, DcganResampling {
  kind: 'dcgan32';
  dim: number;
}

export type ArchConfig = MlpArch | Dcgan28Arch | Dcgan32Arch;

/** Classes a conditional pair may have: bounds the one-hot input and the critic's embedding. */
export const MAX_LABELS = 1024;

/**
 * Hidden units of the toy nets. gan_toy.py uses 512; 128 makes a training step about 6x
 * cheaper on WASM here (11.4 vs 1.8 s per wgan-gp step, batch 256, side by side) and
 * still reaches every mode of 8gaussians.
 */
export const TOY_WIDTH = 128;

/** The authors' sizes for each kind (the toy width aside). */
export const DEFAULT_ARCHS: { readonly [K in ArchKind]: Extract<ArchConfig, { kind: K }> } = {
  mlp: { kind: 'mlp', latentDim: 2, outputShape: [2], outputRange: null, criticNorm: 'none', hidden: TOY_WIDTH, depth: 3 },
  dcgan28: { kind: 'dcgan28', latentDim: 128, outputShape: [28, 28, 1], outputRange: [0, 1], criticNorm: 'none', dim: 64 },
  dcgan32: { kind: 'dcgan32', latentDim: 128, outputShape: [32, 32, 3], outputRange: [-1, 1], criticNorm: 'none', dim: 128 },
};

/** The default config of `kind` with some fields replaced, checked. */
export function archConfig<K extends ArchKind>(kind: K, overrides: Partial<Extract<ArchConfig, { kind: K }>> = {}): Extract<ArchConfig, { kind: K }> {
  if (!ARCH_KINDS.includes(kind)) throw new ConfigError(`unknown architecture kind '${String(kind)}': use one of ${ARCH_KINDS.join(', ')}`, 'bad-arch');
  const config = { ...structuredClone(DEFAULT_ARCHS[kind]), ...overrides, kind };
  validateArch(config);
  return config as Extract<ArchConfig, { kind: K }>;
}

/** Throws an error naming the first bad field; returns the config typed when it is good. */
export function validateArch(config: unknown): ArchConfig {
  if (config == null || typeof config !== 'object') throw new ConfigError(`architecture config must be an object, got ${String(config)}`, 'bad-arch');
  const c = config as Record<string, unknown>;
  const kind = c.kind as ArchKind;
  if (!ARCH_KINDS.includes(kind)) throw new ConfigError(`architecture config: unknown kind '${String(c.kind)}', use one of ${ARCH_KINDS.join(', ')}`, 'bad-arch');
  positiveInt(c, 'latentDim');
  const k = c.latentComponents;
  if (k !== undefined && !(Number.isInteger(k) && (k as number) >= 2 && (k as number) < (c.latentDim as number))) {
    throw new ConfigError(`architecture config: latentComponents must be an integer from 2 to latentDim - 1 (${(c.latentDim as number) - 1}), got ${JSON.stringify(k)}`, 'bad-arch');
  }
  const allowed = c.latentComponentsAllowed;
  if (allowed !== undefined) {
    const ok =
      k !== undefined &&
      Array.isArray(allowed) &&
      allowed.length >= 1 &&
      allowed.every((a, i) => Number.isInteger(a) && a >= 0 && a < (k as number) && (i === 0 || a > allowed[i - 1]));
    if (!ok) {
      throw new ConfigError(`architecture config: latentComponentsAllowed must be a non-empty ascending list of distinct components below latentComponents (${String(k)}), got ${JSON.stringify(allowed)}`, 'bad-arch');
    }
  }
  const anchors = c.latentAnchors as { points?: unknown; spread?: unknown } | undefined;
  if (anchors !== undefined) {
    const noiseDim = (c.latentDim as number) - ((k as number) ?? 0);
    const points = anchors?.points;
    const ok =
      k !== undefined &&
      Array.isArray(points) &&
      points.length >= 1 &&
      points.every((p) => Array.isArray(p) && p.length === noiseDim && p.every(Number.isFinite)) &&
      typeof anchors.spread === 'number' &&
      anchors.spread > 0 &&
      anchors.spread <= 1;
    if (!ok) {
      throw new ConfigError(
        `architecture config: latentAnchors must be { points: one or more lists of latentDim - latentComponents (${noiseDim}) finite numbers, spread: a number in (0, 1] }, with latentComponents set; got ${JSON.stringify(anchors).slice(0, 200)}`, 'bad-arch',
      );
    }
  }
  const labels = c.labels;
  if (labels !== undefined && !(Number.isInteger(labels) && (labels as number) >= 2 && (labels as number) <= MAX_LABELS)) {
    throw new ConfigError(`architecture config: labels must be an integer from 2 to ${MAX_LABELS} (the number of classes), got ${JSON.stringify(labels)}`, 'bad-arch');
  }
  if (c.criticNorm !== 'none' && c.criticNorm !== 'layer') {
    throw new ConfigError(`architecture config: criticNorm must be 'none' or 'layer', got ${JSON.stringify(c.criticNorm)}`, 'bad-arch');
  }
  const range = c.outputRange;
  const rangeOk = range === null || (Array.isArray(range) && range.length === 2 && range[1] === 1 && (range[0] === 0 || range[0] === -1));
  if (!rangeOk) throw new ConfigError(`architecture config: outputRange must be null, [0, 1] or [-1, 1], got ${JSON.stringify(range)}`, 'bad-arch');
  const shape = c.outputShape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ConfigError(`architecture config: outputShape must be a list of positive integers, got ${JSON.stringify(shape)}`, 'bad-arch');
  }
  if (kind === 'mlp') {
    positiveInt(c, 'hidden');
    positiveInt(c, 'depth');
    for (const field of ['upsample', 'criticDownsample']) {
      if (c[field] !== undefined) throw new ConfigError(`architecture config: ${field} is for the dcgan kinds, not mlp, got ${JSON.stringify(c[field])}`, 'bad-arch');
    }
  } else {
    oneOf(c, 'upsample', UPSAMPLES);
    oneOf(c, 'criticDownsample', CRITIC_DOWNSAMPLES);
    positiveInt(c, 'dim');
    const side = kind === 'dcgan28' ? 28 : 32;
    if (shape.length !== 3 || shape[0] !== side || shape[1] !== side) {
      throw new ConfigError(`architecture config: ${kind} makes [${side}, ${side}, channels] images, outputShape is [${shape}]`, 'bad-arch');
    }
  }
  return config as ArchConfig;
}

/** An optional field: absent, or one of `allowed`. */
function oneOf(c: Record<string, unknown>, field: string, allowed: readonly string[]): void {
  const v = c[field];
  if (v !== undefined && !allowed.includes(v as string)) {
    throw new ConfigError(`architecture config: ${field} must be ${allowed.map((a) => `'${a}'`).join(', ')} or absent, got ${JSON.stringify(v)}`, 'bad-arch');
  }
}

function positiveInt(c: Record<string, unknown>, field: string): void {
  const v = c[field];
  if (!Number.isInteger(v) || (v as number) < 1) throw new ConfigError(`architecture config: ${field} must be a positive integer, got ${JSON.stringify(v)}`, 'bad-arch');
}

/** The same architecture with its width (hidden units or DIM) scaled by `factor`, at least 1. */
export function scaleWidth(config: ArchConfig, factor: number): ArchConfig {
  if (config.kind === 'mlp') return { ...config, hidden: Math.max(1, Math.round(config.hidden * factor)) };
  return { ...config, dim: Math.max(1, Math.round(config.dim * factor)) };
}

export function sampleSize(config: ArchConfig): number {
  return config.outputShape.reduce((a, b) => a * b, 1);
}
