/**
 * Few-shot fine-tuning: a handful (5-50) of images of one kind in, a model drawing new images of
 * that kind out, in about a minute of one WASM thread. Plain fine-tuning (`train --init`, the
 * runtime's fromLoadedModel) gets there too slowly for a tab and at a cost in variety
 * (docs/finetune.md has the measurements). This one, on the existing Trainer and
 * startFromModel:
 * 1. Latent mixture components (models/latent_mixture.ts): a model whose generator reads its
 *    latent as K separated Gaussians mostly draws one kind per component. The components whose
 *    samples lie nearest the images (cosine distance of the pixels, each image's nearest
 *    samples vote) are kept (chooseComponents).
 * 2. Anchors, finer than a component (which may draw two kinds, as mnist's draw the 4s and 9s):
 *    the generator is inverted on each image (invertGenerator), and the means of a few inversions
 *    of one component become the points the model draws around (anchorsBetween, recorded as
 *    architecture.latentAnchors), at the smallest spread whose samples do not crowd the images
 *    (chooseSpread). Latent-space mining before fine-tuning, as MineGAN (Wang et al. 2020) does
 *    with a learned miner; ours is the inversion's closed form.
 * 3. A short WGAN-GP run on the images from there, with DiffAugment on real and fake before the
 *    critic (Zhao et al. 2020: translation + cutout; train/diff_augment.ts), the critic's first
 *    layer frozen (FreezeD, Mo et al. 2020) and an average of the generator's weights kept (EMA)
 *    and saved, so the critic cannot memorise ten images and the generator does not copy them.
 * This file holds the choice of components, the anchors, the options and their checks; io/finetune.ts builds
 * the trainer from a model's contents (prepareFineTune, fineTune), as io/networks.ts does for
 * startFromModel. No DOM, worker or file code: the CLI (cli/finetune.ts) and the runtime
 * (runtime/host.ts) call it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageArray } from '../data/images';
import type { ArchConfig } from '../models/config';
import { mixtureCentres, type LatentAnchors } from '../models/latent_mixture';
import type { Network } from '../models/network';
import { seededLatents } from '../sample/latent_paths';
import { ConfigError, type FineTuneInputCode } from '../utils/errors';
import { median } from '../utils/median';
import { Rng } from '../utils/rng';
import { DIFF_AUGMENT_DEFAULT, type DiffAugmentPolicy } from './diff_augment';
import type { StepMetrics } from './trainer';

/** The defaults, chosen from docs/finetune.md's tables (mnist, ten test-set images per digit, one WASM thread). */
export const FINE_TUNE_DEFAULTS = {
  steps: 20,
  seed: 0,
  batchSize: 8,
  /** 4x train --init's 1e-4 (the rate mnist was trained at): from the components alone, in 80 steps 1e-4 moved the 4s to 68%, 4e-4 to 88%. */
  learningRate: 4e-4,
  criticSteps: 5,
  emaDecay: 0.95 as number | null,
  augment: DIFF_AUGMENT_DEFAULT as DiffAugmentPolicy | null,
  /** FreezeD: the critic's lowest layers left as they are (1: conv1). */
  frozenCriticLayers: 1,
  /** The spread of the noise around the anchors (anchorsBetween): 'auto' (chooseSpread), a number in (0, 1], or null: the kept components whole, no anchors. */
  anchorSpread: 'auto' as number | 'auto' | null,
  /**
   * What 'auto' aims the nearest-image ratio at (chooseSpread): the 0.7 and a margin for
   * an estimate from 160 samples and ten images (at 0.72 the 4s read 0.694, at 0.75 0.734, with
   * 94-99% of every digit still its kind: docs/finetune.md).
   */
  spreadTarget: 0.75,
  /** Images averaged into each anchor (anchorsBetween). */
  anchorGroup: 4,
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
   * The spread of the noise around the anchors (anchorsBetween): 'auto' picks it (chooseSpread);
   * smaller draws the kind more surely and nearer the images; null: the kept components whole.
   */
  anchorSpread?: number | 'auto' | null;
  /**
   * With anchorSpread 'auto': the smallest spread whose samples lie at least this far from
   * their nearest image, in units of the kind's typical pair distance (chooseSpread).
   */
  spreadTarget?: number;
  /** Images of one component averaged into each anchor: 1 the images themselves, more the kind more surely and farther from each image. */
  anchorGroup?: number;
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
export class FineTuneInputError extends ConfigError {
  override name = 'FineTuneInputError';
  constructor(
    message: string,
    override readonly code: FineTuneInputCode,
  ) {
    super(message, code);
  }
}

export interface ComponentChoice {
  /** The components kept, ascending. */
  allowed: number[];
  /** Votes per component: each image's PER_IMAGE_VOTES nearest samples. */
  votes: number[];
}

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
async function nearestSamples(
  generator: Network,
  images: ImageArray,
  components: readonly number[],
  per: number,
  seed: number,
) {
  const { latentDim, latentComponents } = generator.config;
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
    const unit = (t: tf.Tensor) => tf.div(t, tf.add(tf.norm(t, 2, 1, true), 1e-6));
    const s = unit(tf.reshape(unitSamples(generator, tf.tensor2d(z, [n, latentDim])), [n, -1]));
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
  options: {
    candidates?: readonly number[];
    seed?: number;
    perComponent?: number;
    votesPerImage?: number;
    minRatio?: number;
  } = {},
): Promise<ComponentChoice> {
  const { latentComponents: K } = generator.config;
  if (K == null)
    throw new ConfigError(
      'chooseComponents: the generator reads one Gaussian, not a mixture of components',
      'bad-arch',
    );
  const candidates = options.candidates ?? Array.from({ length: K }, (_, k) => k);
  const per = options.perComponent ?? SAMPLES_PER_COMPONENT;
  const votesPerImage = Math.min(options.votesPerImage ?? PER_IMAGE_VOTES, per * candidates.length);
  const minRatio = options.minRatio ?? MIN_VOTE_RATIO;
  const { distances, componentOf, n } = await nearestSamples(generator, images, candidates, per, options.seed ?? 0);
  const votes = new Array<number>(K).fill(0);
  for (let i = 0; i < images.shape[0]; i++) {
    const row = Array.from(distances.subarray(i * n, (i + 1) * n), (v, j) => [v, j]).sort((a, b) => a[0] - b[0]);
    for (let v = 0; v < votesPerImage; v++) votes[componentOf[row[v][1]]]++;
  }
  const top = Math.max(...votes);
  const allowed = votes.map((v, k) => (v > 0 && v >= minRatio * top ? k : -1)).filter((k) => k >= 0);
  return { allowed, votes };
}

/** Samples of the kept components each image's inversion may start from (the nearest by cosine). */
const INVERSION_CANDIDATES = 128;
/** Adam's steps and rate in the inversion. */
const INVERSION_STEPS = 150;
const INVERSION_RATE = 0.05;
/** Weight of the noise's squared norm against the summed squared pixel error: keeps the noise where N(0, I) puts it. */
const INVERSION_PRIOR = 1e-3;

/** An inversion: each image's component and noise, [images, noiseDim] row-major. */
export interface Inversion {
  components: Int32Array;
  noise: Float32Array;
}

/**
 * The generator inverted on each image: it starts from its nearest of INVERSION_CANDIDATES
 * samples of the kept components (cosine of the pixels), then Adam moves that sample's noise
 * e to minimise the squared pixel error plus INVERSION_PRIOR |e|^2, its component fixed.
 */
export async function invertGenerator(
  generator: Network,
  images: ImageArray,
  allowed: readonly number[],
  seed: number,
): Promise<Inversion> {
  const { latentDim, latentComponents } = generator.config;
  const K = latentComponents!;
  const noiseDim = latentDim - K;
  const count = images.shape[0];
  const { latents, componentOf, distances, n } = await nearestSamples(
    generator,
    images,
    allowed,
    Math.ceil(INVERSION_CANDIDATES / allowed.length),
    seed,
  );
  const start = new Float32Array(count * noiseDim);
  const components = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let j = 1; j < n; j++) if (distances[i * n + j] < distances[i * n + best]) best = j;
    components[i] = componentOf[best];
    start.set(latents.subarray(best * latentDim + K, (best + 1) * latentDim), i * noiseDim);
  }
  // The first K values pick each image's component (1 there, 0 elsewhere), and stay fixed.
  const choice = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(components, 'int32'), K), 'float32'));
  const noise = tf.tidy(() => tf.variable(tf.tensor2d(start, [count, noiseDim])));
  const target = unitImages(images);
  const optimizer = tf.train.adam(INVERSION_RATE);
  try {
    for (let step = 0; step < INVERSION_STEPS; step++) {
      optimizer.minimize(
        () => {
          const x = unitSamples(generator, tf.concat([choice, noise], 1) as tf.Tensor2D);
          return tf.add(
            tf.div(tf.sum(tf.square(tf.sub(x, target))), count),
            tf.mul(INVERSION_PRIOR, tf.sum(tf.square(noise))),
          );
        },
        false,
        [noise],
      );
    }
    return { components, noise: (await noise.data()) as Float32Array };
  } finally {
    tf.dispose([choice, noise, target]);
    optimizer.dispose();
  }
}

/** At most this many anchors (groups of images), so a model file stays small (about 60 KB of JSON at noiseDim 118). */
const MAX_ANCHORS = 64;

/**
 * The anchors of a fine-tune (models/latent_mixture.ts): the means of ANCHOR_GROUP inverted
 * images of the same component (of two where a component has two), their noise rescaled to
 * the group's mean norm (the mean of N(0, I) draws is short, where the generator draws faint
 * images): new images of the kind, far from each image. Around the images themselves, samples
 * at a small spread would be near-copies (docs/finetune.md). At most MAX_ANCHORS groups, a
 * seeded choice; the images themselves when no two share a component.
 * Each anchor is c_k + sqrt(1 - spread^2) e: with noise of `spread` around it the network's
 * input keeps N(0, I)'s scale; spread 1 is the components again, spread -> 0 the points.
 */
export function anchorsBetween(
  { components, noise }: Inversion,
  latentComponents: number,
  spread: number,
  groupSize: number,
  seed: number,
): LatentAnchors {
  const count = components.length;
  const noiseDim = noise.length / count;
  const centres = mixtureCentres(latentComponents, noiseDim);
  const keep = Math.sqrt(1 - spread * spread);
  const points = groupMeans(noise, components, noiseDim, groupSize, seed).map(({ component, noise: e }) =>
    Array.from(e, (v, t) => round4(centres[component * noiseDim + t] + keep * v)),
  );
  return { points, spread };
}

function groupMeans(
  inverted: Float32Array,
  components: Int32Array,
  noiseDim: number,
  groupSize: number,
  seed: number,
): { component: number; noise: Float32Array }[] {
  const count = components.length;
  const row = (i: number) => inverted.subarray(i * noiseDim, (i + 1) * noiseDim);
  const groups: number[][] = [];
  for (const k of new Set(components)) {
    const members = Array.from({ length: count }, (_, i) => i).filter((i) => components[i] === k);
    groups.push(...combinations(members, Math.min(groupSize, members.length)).filter((g) => g.length > 1));
  }
  if (groups.length === 0)
    return Array.from({ length: count }, (_, i) => ({ component: components[i], noise: row(i) }));
  const rng = new Rng(seed);
  for (let i = 0; i < Math.min(MAX_ANCHORS, groups.length); i++) {
    const j = i + rng.int(groups.length - i);
    [groups[i], groups[j]] = [groups[j], groups[i]];
  }
  return groups.slice(0, MAX_ANCHORS).map((group) => {
    const mean = new Float32Array(noiseDim);
    let norm = 0;
    for (const i of group) {
      row(i).forEach((v, t) => (mean[t] += v / group.length));
      norm += Math.hypot(...row(i)) / group.length;
    }
    const scale = norm / Math.max(Math.hypot(...mean), 1e-6);
    return { component: components[group[0]], noise: mean.map((v) => v * scale) };
  });
}

/** Every `size`-element subset of `items`, in lexicographic order. */
function combinations(items: number[], size: number): number[][] {
  if (size === 0) return [[]];
  return items.flatMap((first, i) => combinations(items.slice(i + 1), size - 1).map((rest) => [first, ...rest]));
}

/** The spreads 'auto' tries, smallest (most surely the kind) first, and the samples it draws at each (the same noise at every spread). */
export const SPREAD_GRID = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1];
const SPREAD_SAMPLES = 160;

/**
 * The smallest spread of SPREAD_GRID at which the anchors' samples lie, at the median, at least
 * `target` times the kind's typical pair distance from their nearest image: the tightest draw
 * around the anchors (the kind most surely) that does not crowd the images. The typical pair
 * distance is the geometric mean of two estimates: the images' own pairs (few, and off by up to
 * a tenth either way for ten images) and the pairs of the kept components' samples (many, the
 * model's idea of the kind, which a component drawing two kinds reads a little wide).
 * Pixels in [0, 1]; the same noise at every spread.
 */
export async function chooseSpread(
  generator: Network,
  images: ImageArray,
  inversion: Inversion,
  groupSize: number,
  target: number,
  seed: number,
): Promise<number> {
  const { latentDim, latentComponents } = generator.config;
  const K = latentComponents!;
  const noiseDim = latentDim - K;
  const groups = groupMeans(inversion.noise, inversion.components, noiseDim, groupSize, seed);
  const noise = await seededLatents(SPREAD_SAMPLES, noiseDim, seed + 2);
  const count = images.shape[0];
  const samplesAt = (spread: number) => {
    // The generator without anchors reads (c_k + noise) / sqrt(2): with noise keep m + spread e
    // under component k, that is (anchor + spread e) / sqrt(2). Spread 1: the components whole.
    const keep = Math.sqrt(1 - spread * spread);
    const z = new Float32Array(SPREAD_SAMPLES * latentDim);
    for (let i = 0; i < SPREAD_SAMPLES; i++) {
      const { component, noise: m } = groups[i % groups.length];
      z[i * latentDim + component] = 1;
      for (let t = 0; t < noiseDim; t++) z[i * latentDim + K + t] = keep * m[t] + spread * noise[i * noiseDim + t];
    }
    return tf.tidy(() =>
      tf.reshape(unitSamples(generator, tf.tensor2d(z, [SPREAD_SAMPLES, latentDim])), [SPREAD_SAMPLES, -1]),
    );
  };
  const shots = tf.tidy(() => tf.reshape(unitImages(images), [count, -1]));
  const whole = samplesAt(1);
  try {
    const typical = Math.sqrt(
      pairMedian(await squaredDistances(shots, shots), count) *
        pairMedian(await squaredDistances(whole, whole), SPREAD_SAMPLES),
    );
    for (const spread of SPREAD_GRID) {
      // Spread 1 is the components whole: the samples already drawn for the typical distance.
      const samples = spread === 1 ? whole : samplesAt(spread);
      const d = await squaredDistances(samples, shots);
      if (samples !== whole) samples.dispose();
      const nearest = Array.from({ length: SPREAD_SAMPLES }, (_, i) =>
        Math.sqrt(Math.max(0, Math.min(...d.subarray(i * count, (i + 1) * count)))),
      );
      if (median(nearest) >= target * typical) return spread;
    }
    return SPREAD_GRID[SPREAD_GRID.length - 1];
  } finally {
    shots.dispose();
    whole.dispose();
  }
}

/** The median distance between two of n rows, from their squared distances [n, n]. */
function pairMedian(squared: Float32Array, n: number): number {
  const pairs: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push(Math.sqrt(Math.max(0, squared[i * n + j])));
  return median(pairs);
}

/** |a_i - b_j|^2 for rows of a [n, p] and b [m, p], [n, m] row-major. */
async function squaredDistances(a: tf.Tensor, b: tf.Tensor): Promise<Float32Array> {
  const d = tf.tidy(() =>
    tf.add(
      tf.sub(tf.sum(tf.square(a), 1, true), tf.mul(2, tf.matMul(a, b, false, true))),
      tf.transpose(tf.sum(tf.square(b), 1, true)),
    ),
  );
  const values = (await d.data()) as Float32Array;
  d.dispose();
  return values;
}

/** Four decimals: anchors are noise of unit scale, and a model file keeps them as JSON. */
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** The critic's parameters FreezeD leaves alone: those of its `layers` lowest conv layers. */
export function frozenCriticParams(arch: ArchConfig, layers: number): string[] {
  if (!Number.isInteger(layers) || layers < 0)
    throw new FineTuneInputError(`fineTune: frozenCriticLayers must be an integer >= 0, got ${layers}`, 'bad-option');
  if (layers === 0) return [];
  if (arch.kind === 'mlp')
    throw new FineTuneInputError(
      'fineTune: frozenCriticLayers applies to the conv critics (dcgan28, dcgan32)',
      'bad-option',
    );
  if (layers > 2)
    throw new FineTuneInputError(
      `fineTune: the critic has 3 conv layers and a head; freeze at most 2, not ${layers}`,
      'bad-option',
    );
  return Array.from({ length: layers }, (_, i) => [`conv${i + 1}/kernel`, `conv${i + 1}/bias`]).flat();
}

export function checkFineTuneImages(images: ImageArray, arch: ArchConfig): void {
  const shape = images?.shape;
  if (!Array.isArray(shape) || shape.length !== 4)
    throw new FineTuneInputError(
      `fine-tune images: expected { data, shape: [n, h, w, c] }, got shape ${JSON.stringify(shape)}`,
      'image-shape',
    );
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

/** The generator's samples of latents `z` as floats in [0, 1]. */
function unitSamples(generator: Network, z: tf.Tensor2D): tf.Tensor {
  return tf.tidy(() => {
    const samples = generator.apply(generator.params, z);
    const range = generator.config.outputRange;
    return range !== null && range[0] === -1 ? tf.div(tf.add(samples, 1), 2) : samples;
  });
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
