/**
 * Few-shot fine-tuning: a handful (5-50) of images of one kind in, a model drawing new images of
 * that kind out, in about a minute of one WASM thread. Plain fine-tuning (`train --init`, the
 * runtime's fromLoadedModel) gets there too slowly for a tab and at a cost in variety
 * (docs/finetune.md has the measurements). This one, on the existing Trainer and
 * startFromModel:
 * 1. Latent mixture components (models/latent_mixture.ts): a model whose generator reads its
 *    latent as K separated Gaussians mostly draws one kind per component. The components whose
 *    samples lie nearest the images (cosine distance of the pixels, each image's nearest
 *    samples vote) are kept in the architecture (latentComponentsAllowed): the argmax that picks a component runs over
 *    those only, so the model draws the right kind from the first step, with its full variety.
 * 2. A short WGAN-GP run on the images from there, with DiffAugment on real and fake before the
 *    critic (Zhao et al. 2020: translation + cutout; train/diff_augment.ts), the critic's first
 *    layer frozen (FreezeD, Mo et al. 2020) and an average of the generator's weights kept (EMA)
 *    and saved, so the critic cannot memorise ten images and the generator does not copy them.
 * This file holds the choice of components, the options and their checks; io/finetune.ts builds
 * the trainer from a model's contents (prepareFineTune, fineTune), as io/networks.ts does for
 * startFromModel. No DOM, worker or file code: the CLI (cli/finetune.ts) and the runtime
 * (runtime/host.ts) call it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageArray } from '../data/images';
import type { ArchConfig } from '../models/config';
import type { Network } from '../models/network';
import { seededLatents } from '../sample/latent_paths';
import { DIFF_AUGMENT_DEFAULT, type DiffAugmentPolicy } from './diff_augment';
import type { StepMetrics } from './trainer';

/**
 * The defaults, chosen from docs/finetune.md's table (mnist, ten test-set images per digit, one
 * WASM thread). FINE_TUNE_DEFAULTS.steps is what fits in the minute with the choice of components.
 */
export const FINE_TUNE_DEFAULTS = {
  steps: 80,
  seed: 0,
  batchSize: 8,
  /** 4x train --init's 1e-4 (the rate mnist was trained at): in 80 steps 1e-4 moves the 4s to 68%, 4e-4 to 88%. */
  learningRate: 4e-4,
  criticSteps: 5,
  emaDecay: 0.95 as number | null,
  augment: DIFF_AUGMENT_DEFAULT as DiffAugmentPolicy | null,
  /** FreezeD: the critic's lowest layers left as they are (1: conv1). */
  frozenCriticLayers: 1,
  recentre: 0,
  componentVoteRatio: 0.75,
  components: 'nearest' as 'nearest' | 'all' | number[],
};

/** Fewer images than this cannot be told apart from one image to copy. */
export const MIN_FINE_TUNE_IMAGES = 2;

export interface FineTuneOptions {
  /** Generator steps (default FINE_TUNE_DEFAULTS.steps); 0 keeps the choice of components alone. */
  steps?: number;
  /** Seeds the run (an integer in [0, 2^32)). */
  seed?: number;
  batchSize?: number;
  learningRate?: number;
  /** Critic updates per generator step (n_critic). */
  criticSteps?: number;
  /** Decay of the generator's average, which is what the result keeps; null: the generator itself. */
  emaDecay?: number | null;
  /** DiffAugment's policy; null: none. */
  augment?: DiffAugmentPolicy | null;
  /** FreezeD: how many of the critic's lowest conv layers stay as they are (0: none). */
  frozenCriticLayers?: number;
  /**
   * Moves the kept components' centres by this times choice.nearestNoise (0: not at all), folded
   * into the generator's first layer's bias, so the model and its format do not change.
   */
  recentre?: number;
  /** A component is kept when it has this share of the top component's votes or more (1: the top one only). */
  componentVoteRatio?: number;
  /**
   * 'nearest': keep the latent components nearest the images (a model with a latent mixture);
   * 'all': keep every component; or the components to keep.
   */
  components?: 'nearest' | 'all' | number[];
  signal?: AbortSignal;
  onProgress?: (metrics: StepMetrics) => void | Promise<void>;
}

/**
 * A fine-tune's input that cannot be used: too few images, something that is not an image, images
 * of another shape or background, a model without a critic, a label for a model without classes.
 */
export class FineTuneInputError extends Error {
  override name = 'FineTuneInputError';
  constructor(
    message: string,
    readonly code: 'too-few-images' | 'not-an-image' | 'image-shape' | 'background' | 'no-critic' | 'not-conditional' | 'bad-option',
  ) {
    super(message);
  }
}

export interface ComponentChoice {
  /** The components kept, ascending. */
  allowed: number[];
  /** Votes per component: each image's PER_IMAGE_VOTES nearest samples. */
  votes: number[];
  /**
   * The mean noise (the latent's values after the first K) of the samples of the kept
   * components that lie nearest the images (RECENTRE_SHARE of them): the direction, within the
   * components, towards the images. Empty when given components.
   */
  nearestNoise: Float32Array;
}

/** Samples of the kept components drawn to find nearestNoise, and the share of them it averages. */
const RECENTRE_SAMPLES = 128;
const RECENTRE_SHARE = 0.25;

/** Samples drawn from each component to compare the images with. */
const SAMPLES_PER_COMPONENT = 32;
/** Each image's nearest samples vote for their components. */
const PER_IMAGE_VOTES = 5;
/**
 * A component is kept when it has at least this share of the top component's votes. On mnist's
 * ten-image sets (docs/finetune.md) the runner-up holds 24-40% of the top's votes for most
 * digits and 69% for the 5s (the 3s' component, which a 0.2 share of all votes kept, halving
 * the 5s' share), where the two components that share the 4s and 9s hold 92% of each other's.
 */
const MIN_VOTE_RATIO = 0.75;

/**
 * `per` samples of each of `components` (seeded latents, the largest of the first K values
 * swapped into the component's place: a draw of N(0, I) given that component), and the cosine
 * distance (1 - cos, of the [0, 1] pixels as vectors) of each image to each sample,
 * [images, samples] row-major. Cosine, not Euclidean: a Euclidean distance favours samples
 * with little ink (every 2, 4, 5 or 9 lies nearer some thin 1 than most of its kind).
 */
async function nearestSamples(generator: Network, images: ImageArray, components: readonly number[], per: number, seed: number) {
  const { latentDim, latentComponents, outputRange } = generator.config;
  const K = latentComponents!;
  const n = per * components.length;
  const z = await seededLatents(n, latentDim, seed);
  const componentOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = components[Math.floor(i / per)];
    componentOf[i] = k;
    let top = 0;
    for (let j = 1; j < K; j++) if (z[i * latentDim + j] > z[i * latentDim + top]) top = j;
    [z[i * latentDim + k], z[i * latentDim + top]] = [z[i * latentDim + top], z[i * latentDim + k]];
  }
  const count = images.shape[0];
  const distances = tf.tidy(() => {
    let samples = generator.apply(generator.params, tf.tensor2d(z, [n, latentDim]));
    if (outputRange !== null && outputRange[0] === -1) samples = tf.div(tf.add(samples, 1), 2);
    const unit = (t: tf.Tensor) => tf.div(t, tf.add(tf.norm(t, 2, 1, true), 1e-6));
    const s = unit(tf.reshape(samples, [n, -1]));
    const x = unit(tf.reshape(unitImages(images), [count, -1]));
    return tf.sub(1, tf.matMul(x, s, false, true));
  });
  const d = (await distances.data()) as Float32Array;
  distances.dispose();
  return { latents: z, componentOf, distances: d, n };
}

/**
 * The components of `generator`'s latent mixture (among `candidates`) whose samples lie nearest
 * the images: SAMPLES_PER_COMPONENT samples of each (seeded), then each image's PER_IMAGE_VOTES
 * nearest samples (cosine distance of the [0, 1] pixels) vote for their components, and those with at
 * least MIN_VOTE_RATIO of the top component's votes are kept.
 */
export async function chooseComponents(
  generator: Network,
  images: ImageArray,
  options: { candidates?: readonly number[]; seed?: number; perComponent?: number; votesPerImage?: number; minRatio?: number } = {},
): Promise<ComponentChoice> {
  const { latentDim, latentComponents: K } = generator.config;
  if (K == null) throw new Error('chooseComponents: the generator reads one Gaussian, not a mixture of components');
  const candidates = options.candidates ?? Array.from({ length: K }, (_, k) => k);
  const per = options.perComponent ?? SAMPLES_PER_COMPONENT;
  const votesPerImage = Math.min(options.votesPerImage ?? PER_IMAGE_VOTES, per * candidates.length);
  const minRatio = options.minRatio ?? MIN_VOTE_RATIO;
  const first = await nearestSamples(generator, images, candidates, per, options.seed ?? 0);
  const count = images.shape[0];
  const votes = new Array<number>(K).fill(0);
  for (let i = 0; i < count; i++) {
    const row = Array.from(first.distances.subarray(i * first.n, (i + 1) * first.n), (v, j) => [v, j]).sort((a, b) => a[0] - b[0]);
    for (let v = 0; v < votesPerImage; v++) votes[first.componentOf[row[v][1]]]++;
  }
  const top = Math.max(...votes);
  const allowed = votes.map((v, k) => (v > 0 && v >= minRatio * top ? k : -1)).filter((k) => k >= 0);
  // More samples of the kept components: each one's distance to its nearest image, and the
  // mean noise of the nearest RECENTRE_SHARE of them.
  const second = await nearestSamples(generator, images, allowed, Math.ceil(RECENTRE_SAMPLES / allowed.length), (options.seed ?? 0) + 1);
  const kept: [number, number][] = [];
  for (let j = 0; j < second.n; j++) {
    let best = Infinity;
    for (let i = 0; i < count; i++) best = Math.min(best, second.distances[i * second.n + j]);
    kept.push([best, j]);
  }
  kept.sort((a, b) => a[0] - b[0]);
  const nearest = kept.slice(0, Math.max(1, Math.round(RECENTRE_SHARE * kept.length)));
  const noiseDim = latentDim - K;
  const nearestNoise = new Float32Array(noiseDim);
  for (const [, j] of nearest) for (let t = 0; t < noiseDim; t++) nearestNoise[t] += second.latents[j * latentDim + K + t] / nearest.length;
  return { allowed, votes, nearestNoise };
}

/** The critic's parameters FreezeD leaves alone: those of its `layers` lowest conv layers. */
export function frozenCriticParams(arch: ArchConfig, layers: number): string[] {
  if (!Number.isInteger(layers) || layers < 0) throw new FineTuneInputError(`fineTune: frozenCriticLayers must be an integer >= 0, got ${layers}`, 'bad-option');
  if (layers === 0) return [];
  if (arch.kind === 'mlp') throw new FineTuneInputError('fineTune: frozenCriticLayers applies to the conv critics (dcgan28, dcgan32)', 'bad-option');
  if (layers > 2) throw new FineTuneInputError(`fineTune: the critic has 3 conv layers and a head; freeze at most 2, not ${layers}`, 'bad-option');
  return Array.from({ length: layers }, (_, i) => [`conv${i + 1}/kernel`, `conv${i + 1}/bias`]).flat();
}

export function checkFineTuneImages(images: ImageArray, arch: ArchConfig): void {
  const shape = images?.shape;
  if (!Array.isArray(shape) || shape.length !== 4) throw new FineTuneInputError(`fine-tune images: expected { data, shape: [n, h, w, c] }, got shape ${JSON.stringify(shape)}`, 'image-shape');
  if (shape[0] < MIN_FINE_TUNE_IMAGES) {
    throw new FineTuneInputError(
      `fine-tune images: ${shape[0]} image${shape[0] === 1 ? '' : 's'}; a fine-tune needs at least ${MIN_FINE_TUNE_IMAGES} (5 to 50 work best), or the model can only copy what it is given`,
      'too-few-images',
    );
  }
  if (arch.outputShape.length !== 3 || shape.slice(1).join() !== arch.outputShape.join()) {
    throw new FineTuneInputError(
      `fine-tune images: they are [${shape.slice(1)}], the model draws [${arch.outputShape}]; resize and match the channels first (toImageArray(decoded, ${arch.outputShape[0]}, ${arch.outputShape[2]}))`,
      'image-shape',
    );
  }
}

/** Images as floats in [0, 1], [n, h, w, c]. */
function unitImages({ data, shape }: ImageArray): tf.Tensor4D {
  return tf.tidy(() => {
    const t = tf.tensor4d(data instanceof Uint8Array ? Float32Array.from(data) : data, shape);
    return (data instanceof Uint8Array ? tf.div(t, 255) : t) as tf.Tensor4D;
  });
}

export function definedOf<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
