/**
 * The project's image-quality measure for 28x28 digits, from its own MNIST classifier
 * (src/models/classifier.ts): the Frechet distance between the classifier's penultimate
 * features of generated and of real held-out images, with a real-vs-real baseline of the same
 * sizes to read it against, plus the classes the generated samples fall in and how confidently.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageArray } from '../data/images';
import {
  CLASSIFIER_CLASSES,
  CLASSIFIER_FEATURES,
  CLASSIFIER_INPUT_SHAPE,
  classifierFeatures,
  classifierHead,
} from '../models/classifier';
import type { Network } from '../models/network';
import type { ParamTensors } from '../nn/params';
import { sampleLabels } from '../sample/generate';
import { seededLatents } from '../sample/latent_paths';
import { ConfigError } from '../utils/errors';
import { Rng } from '../utils/rng';
import { featureStats, frechetFromStats } from './frechet';

/** A sample counts as a clear digit when its top class probability exceeds this. */
export const CONFIDENT_PROBABILITY = 0.9;
/** Images per forward pass: bounds memory on small devices. */
const BATCH = 500;
/** Default seed of the real subsets, so a model card's numbers can be recomputed. */
const REAL_SUBSET_SEED = 0;

/** Images N x 28 x 28 x 1 in [0, 1]: a tensor, bare floats, or an image array (uint8 is 0..255). */
export type Images = tf.Tensor | Float32Array | ImageArray;

export interface ClassifierOutputs {
  count: number;
  /** count x 128, row-major. */
  features: Float32Array;
  /** count x 10 softmax probabilities, row-major. */
  probabilities: Float32Array;
}

export interface ClassifierQuality {
  /** Share of generated samples whose top class probability exceeds CONFIDENT_PROBABILITY. */
  confidentShare: number;
  /** The same share for real subset B: what the classifier gives real images (its own ceiling). */
  realConfidentShare: number;
  /** Share of generated samples whose top class is each digit 0..9. */
  classShares: number[];
  /** Frechet distance of generated vs real features (lower is better). */
  frechet: number;
  /** The same distance between two disjoint real subsets of the same size: the floor to compare with. */
  frechetRealBaseline: number;
  /** Vectors per set in both distances. */
  frechetSamples: number;
}

/**
 * Runs the classifier over `images` (or those at `indices`, in that order) in batches; reads
 * back asynchronously (WebGPU-safe).
 */
export async function classifierOutputs(
  params: ParamTensors,
  images: Images,
  what = 'images',
  indices?: Int32Array,
): Promise<ClassifierOutputs> {
  const source = imageSource(images, what);
  const picked = indices ?? Int32Array.from({ length: source.count }, (_, i) => i);
  const bad = picked.findIndex((i) => !(i >= 0 && i < source.count));
  if (bad >= 0)
    throw new ConfigError(
      `${what}: index ${picked[bad]} (at ${bad}) is outside the ${source.count} images`,
      'bad-metric-input',
    );
  const count = picked.length;
  const features = new Float32Array(count * CLASSIFIER_FEATURES);
  const probabilities = new Float32Array(count * CLASSIFIER_CLASSES);
  for (let start = 0; start < count; start += BATCH) {
    const [f, p] = tf.tidy(() => {
      const f = classifierFeatures(params, source.take(picked.subarray(start, start + BATCH)));
      return [f, tf.softmax(classifierHead(params, f))];
    });
    try {
      features.set(await f.data<'float32'>(), start * CLASSIFIER_FEATURES);
      probabilities.set(await p.data<'float32'>(), start * CLASSIFIER_CLASSES);
    } finally {
      f.dispose();
      p.dispose();
    }
  }
  return { count, features, probabilities };
}

/** Top class of each row of `probabilities`. */
export function predictedClasses(probabilities: Float32Array): Uint8Array {
  const count = probabilities.length / CLASSIFIER_CLASSES;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < CLASSIFIER_CLASSES; c++) {
      if (probabilities[i * CLASSIFIER_CLASSES + c] > probabilities[i * CLASSIFIER_CLASSES + best]) best = c;
    }
    out[i] = best;
  }
  return out;
}

/**
 * Quality of `generated` against real held-out images. Two disjoint random subsets A and B of
 * the real images, of the generated set's size n, are drawn (seeded): frechet is generated vs
 * A, frechetRealBaseline is B vs A, so both carry the same small-sample bias. Random, not the
 * first 2n: MNIST test's two halves come from different writers.
 */
export async function classifierQuality(
  params: ParamTensors,
  generated: Images,
  real: Images,
  options: { seed?: number } = {},
): Promise<ClassifierQuality> {
  const n = imageSource(generated, 'generated images').count;
  const realCount = imageSource(real, 'real images').count;
  if (n < 2)
    throw new ConfigError(`classifier quality: needs at least 2 generated images, got ${n}`, 'bad-metric-input');
  if (realCount < 2 * n) {
    throw new ConfigError(
      `classifier quality: ${n} generated images need at least ${2 * n} real ones (two disjoint subsets of the same size), got ${realCount}`,
      'bad-metric-input',
    );
  }
  const gen = await classifierOutputs(params, generated, 'generated images');
  const ref = await classifierOutputs(
    params,
    real,
    'real images',
    randomSubset(realCount, 2 * n, options.seed ?? REAL_SUBSET_SEED),
  );
  const realA = featureStats(ref.features.subarray(0, n * CLASSIFIER_FEATURES), CLASSIFIER_FEATURES, 'real subset A');
  const realB = featureStats(
    ref.features.subarray(n * CLASSIFIER_FEATURES, 2 * n * CLASSIFIER_FEATURES),
    CLASSIFIER_FEATURES,
    'real subset B',
  );
  const generatedStats = featureStats(gen.features, CLASSIFIER_FEATURES, 'generated features');

  const classes = predictedClasses(gen.probabilities);
  const counts = new Array<number>(CLASSIFIER_CLASSES).fill(0);
  for (const c of classes) counts[c]++;
  return {
    confidentShare: confidentShare(gen.probabilities),
    realConfidentShare: confidentShare(ref.probabilities.subarray(n * CLASSIFIER_CLASSES)),
    classShares: counts.map((c) => c / n),
    frechet: frechetFromStats(generatedStats, realA),
    frechetRealBaseline: frechetFromStats(realB, realA),
    frechetSamples: n,
  };
}

/** Share of rows (softmax probabilities) whose top class probability exceeds CONFIDENT_PROBABILITY. */
function confidentShare(probabilities: Float32Array): number {
  const rows = probabilities.length / CLASSIFIER_CLASSES;
  let confident = 0;
  for (let i = 0; i < rows; i++) {
    if (
      Math.max(...probabilities.subarray(i * CLASSIFIER_CLASSES, (i + 1) * CLASSIFIER_CLASSES)) > CONFIDENT_PROBABILITY
    )
      confident++;
  }
  return confident / rows;
}

/**
 * classifierQuality of `n` samples of a 28x28x1 generator (latents seeded by `seed`, truncated
 * as the sampling API does when `truncation` is given), drawn in batches; a [-1, 1] generator's
 * samples are mapped to [0, 1] first. A conditional generator's labels are drawn uniformly, as
 * sampleGenerator draws them without a label.
 */
export async function generatorClassifierQuality(
  generator: Network,
  classifier: ParamTensors,
  real: Images,
  n: number,
  seed: number,
  truncation?: number,
): Promise<ClassifierQuality> {
  checkClassifierGenerator(generator);
  if (!Number.isInteger(n) || n < 2)
    throw new ConfigError(`classifier quality: n must be an integer >= 2, got ${n}`, 'bad-metric-input');
  return classifierQuality(classifier, await generatedImages(generator, n, seed, truncation), real, { seed });
}

/**
 * A conditional generator's per-label accuracy: for each label k, the share of `perLabel`
 * samples drawn with label k (latents seeded from `seed`) that the classifier puts in class k.
 * The generator's labels must be the classifier's classes (0..9).
 */
export async function generatorLabelAccuracy(
  generator: Network,
  classifier: ParamTensors,
  perLabel: number,
  seed: number,
  truncation?: number,
): Promise<number[]> {
  checkClassifierGenerator(generator);
  const classes = generator.config.labels;
  if (classes == null)
    throw new ConfigError(
      'label accuracy: the generator is unconditional, it has no labels to check',
      'bad-metric-input',
    );
  if (classes > CLASSIFIER_CLASSES)
    throw new ConfigError(
      `label accuracy: the generator has ${classes} labels, the classifier ${CLASSIFIER_CLASSES} classes`,
      'bad-metric-input',
    );
  if (!Number.isInteger(perLabel) || perLabel < 1)
    throw new ConfigError(`label accuracy: perLabel must be an integer >= 1, got ${perLabel}`, 'bad-metric-input');
  const rng = new Rng(seed);
  const accuracy: number[] = [];
  for (let label = 0; label < classes; label++) {
    const { probabilities } = await classifierOutputs(
      classifier,
      await generatedImages(generator, perLabel, rng.seed(), truncation, label),
      `samples of label ${label}`,
    );
    accuracy.push(predictedClasses(probabilities).filter((c) => c === label).length / perLabel);
  }
  return accuracy;
}

function checkClassifierGenerator(generator: Network): void {
  const { outputShape } = generator.config;
  if (outputShape.join() !== CLASSIFIER_INPUT_SHAPE.join()) {
    throw new ConfigError(
      `classifier quality: the generator makes [${outputShape}] samples; the classifier reads [${CLASSIFIER_INPUT_SHAPE}]`,
      'bad-metric-input',
    );
  }
}

/** `n` samples in [0, 1], drawn BATCH at a time (each batch's latents and labels from its own seed). */
async function generatedImages(
  generator: Network,
  n: number,
  seed: number,
  truncation?: number,
  label?: number,
): Promise<Float32Array> {
  const { outputRange, latentDim, labels: classes } = generator.config;
  const sampleSize = CLASSIFIER_INPUT_SHAPE.reduce((a, b) => a * b, 1);
  const samples = new Float32Array(n * sampleSize);
  const rng = new Rng(seed);
  for (let start = 0; start < n; start += BATCH) {
    const count = Math.min(BATCH, n - start);
    const batchSeed = rng.seed();
    const z = await seededLatents(count, latentDim, batchSeed, truncation);
    const labels = sampleLabels(classes, { n: count, seed: batchSeed, label });
    const batch = tf.tidy(() => {
      const x = generator.apply(
        generator.params,
        tf.tensor2d(z, [count, latentDim]),
        labels && tf.tensor1d(labels, 'int32'),
      );
      // Clipped too: a linear (null-range) generator may overshoot [0, 1] a little.
      return tf.clipByValue(outputRange !== null && outputRange[0] === -1 ? tf.div(tf.add(x, 1), 2) : x, 0, 1);
    });
    samples.set(await batch.data<'float32'>(), start * sampleSize);
    batch.dispose();
  }
  return samples;
}

/** Checks the images' shape and range, and gives the images at given indices as a float tensor in [0, 1]. */
function imageSource(images: Images, what: string): { count: number; take: (indices: Int32Array) => tf.Tensor4D } {
  const sampleSize = CLASSIFIER_INPUT_SHAPE.reduce((a, b) => a * b, 1);
  const shape4 = (n: number) => [n, ...CLASSIFIER_INPUT_SHAPE] as [number, number, number, number];
  if (images instanceof tf.Tensor) {
    const trailing = images.shape.slice(1);
    if (images.rank !== 4 || trailing.some((d, i) => d !== CLASSIFIER_INPUT_SHAPE[i])) {
      throw new ConfigError(
        `${what}: expected a tensor [n, ${CLASSIFIER_INPUT_SHAPE.join(', ')}], got [${images.shape.join(', ')}]`,
        'bad-metric-input',
      );
    }
    return {
      count: images.shape[0],
      take: (indices) => tf.gather(images as tf.Tensor4D, tf.tensor1d(indices, 'int32')),
    };
  }
  const isArray = images instanceof Float32Array;
  const data = isArray ? images : images?.data;
  if (!(data instanceof Float32Array) && !(data instanceof Uint8Array)) {
    throw new ConfigError(
      `${what}: expected a tensor, a Float32Array or an image array { data, shape }`,
      'bad-metric-input',
    );
  }
  if (!isArray) {
    const shape = (images as ImageArray).shape;
    if (!Array.isArray(shape) || shape.length !== 4 || shape.slice(1).some((d, i) => d !== CLASSIFIER_INPUT_SHAPE[i])) {
      throw new ConfigError(
        `${what}: expected an image array of shape [n, ${CLASSIFIER_INPUT_SHAPE.join(', ')}], got ${JSON.stringify(shape)}`,
        'bad-metric-input',
      );
    }
  }
  if (data.length % sampleSize !== 0) {
    throw new ConfigError(
      `${what}: ${data.length} values are not a whole number of ${CLASSIFIER_INPUT_SHAPE.join('x')} images`,
      'bad-metric-input',
    );
  }
  const toUnit = data instanceof Uint8Array ? 1 / 255 : 1;
  if (data instanceof Float32Array) {
    const bad = data.findIndex((v) => !(v >= 0 && v <= 1));
    if (bad >= 0)
      throw new ConfigError(
        `${what}: pixels must lie in [0, 1]; value ${data[bad]} at index ${bad} (image ${Math.floor(bad / sampleSize)})`,
        'bad-metric-input',
      );
  }
  return {
    count: data.length / sampleSize,
    take: (indices) => {
      const floats = new Float32Array(indices.length * sampleSize);
      indices.forEach((image, i) => {
        for (let j = 0; j < sampleSize; j++) floats[i * sampleSize + j] = data[image * sampleSize + j] * toUnit;
      });
      return tf.tensor4d(floats, shape4(indices.length));
    },
  };
}

/**
 * The real images classifierQuality compares with: `size` distinct indices below `count`, by
 * a seeded partial Fisher-Yates shuffle (subset A is the first half, B the second).
 */
export function randomSubset(count: number, size: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = 0; i < size; i++) {
    const j = i + rng.int(count - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, size);
}
