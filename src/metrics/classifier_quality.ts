/**
 * The project's image-quality measure, from its own classifiers (src/models/classifier.ts:
 * MNIST's for 28x28 digits, the emoji categories' for 32x32 colour emoji; the parameters say
 * which): the Frechet distance between the classifier's penultimate features of generated and
 * of real held-out images, with a real-vs-real baseline of the same sizes to read it against,
 * plus the classes the generated samples fall in and how confidently.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageArray } from '../data/images';
import {
  CLASSIFIER_CLASSES,
  classifierArch,
  classifierFeatures,
  classifierHead,
  type ClassifierArch,
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

/** Images [n, ...the classifier's inputShape] in [0, 1]: a tensor, bare floats, or an image array (uint8 is 0..255). */
export type Images = tf.Tensor | Float32Array | ImageArray;

export interface ClassifierOutputs {
  count: number;
  /** count x features (128), row-major. */
  features: Float32Array;
  /** count x classes softmax probabilities, row-major. */
  probabilities: Float32Array;
}

export interface ClassifierQuality {
  /** Share of generated samples whose top class probability exceeds CONFIDENT_PROBABILITY. */
  confidentShare: number;
  /** The same share for real subset B: what the classifier gives real images (its own ceiling). */
  realConfidentShare: number;
  /** Share of generated samples whose top class is each class (digit 0..9, emoji category 0..8). */
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
  const { inputShape, classes, features: width } = classifierArch(params);
  const source = imageSource(images, what, inputShape);
  const picked = indices ?? Int32Array.from({ length: source.count }, (_, i) => i);
  const bad = picked.findIndex((i) => !(i >= 0 && i < source.count));
  if (bad >= 0)
    throw new ConfigError(
      `${what}: index ${picked[bad]} (at ${bad}) is outside the ${source.count} images`,
      'bad-metric-input',
    );
  const count = picked.length;
  const features = new Float32Array(count * width);
  const probabilities = new Float32Array(count * classes);
  for (let start = 0; start < count; start += BATCH) {
    const [f, p] = tf.tidy(() => {
      const f = classifierFeatures(params, source.take(picked.subarray(start, start + BATCH)));
      return [f, tf.softmax(classifierHead(params, f))];
    });
    try {
      features.set(await f.data<'float32'>(), start * width);
      probabilities.set(await p.data<'float32'>(), start * classes);
    } finally {
      f.dispose();
      p.dispose();
    }
  }
  return { count, features, probabilities };
}

/** Top class of each row of `probabilities` (rows of `classes`, MNIST's 10 by default). */
export function predictedClasses(probabilities: Float32Array, classes = CLASSIFIER_CLASSES): Uint8Array {
  const count = probabilities.length / classes;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (probabilities[i * classes + c] > probabilities[i * classes + best]) best = c;
    }
    out[i] = best;
  }
  return out;
}

/**
 * The classifier's accuracy on labelled images, per class: entry k is the share of the images
 * labelled k that it puts in class k (NaN for a class with no image). On real images of a
 * generator's training set, the ceiling of that generator's label accuracy.
 */
export async function classAccuracy(
  params: ParamTensors,
  images: Images,
  labels: ArrayLike<number>,
  what = 'labelled images',
): Promise<number[]> {
  const { classes } = classifierArch(params);
  const { count, probabilities } = await classifierOutputs(params, images, what);
  if (labels.length !== count)
    throw new ConfigError(`${what}: ${count} images but ${labels.length} labels`, 'bad-metric-input');
  const predicted = predictedClasses(probabilities, classes);
  const right = new Array<number>(classes).fill(0);
  const total = new Array<number>(classes).fill(0);
  for (let i = 0; i < count; i++) {
    const label = labels[i];
    if (!(Number.isInteger(label) && label >= 0 && label < classes))
      throw new ConfigError(`${what}: label ${label} at index ${i} is outside 0..${classes - 1}`, 'bad-metric-input');
    total[label]++;
    if (predicted[i] === label) right[label]++;
  }
  return right.map((r, k) => r / total[k]);
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
  const { inputShape, classes: classCount, features: width } = classifierArch(params);
  const n = imageSource(generated, 'generated images', inputShape).count;
  const realCount = imageSource(real, 'real images', inputShape).count;
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
  const realA = featureStats(ref.features.subarray(0, n * width), width, 'real subset A');
  const realB = featureStats(ref.features.subarray(n * width, 2 * n * width), width, 'real subset B');
  const generatedStats = featureStats(gen.features, width, 'generated features');

  const classes = predictedClasses(gen.probabilities, classCount);
  const counts = new Array<number>(classCount).fill(0);
  for (const c of classes) counts[c]++;
  return {
    confidentShare: confidentShare(gen.probabilities, classCount),
    realConfidentShare: confidentShare(ref.probabilities.subarray(n * classCount), classCount),
    classShares: counts.map((c) => c / n),
    frechet: frechetFromStats(generatedStats, realA),
    frechetRealBaseline: frechetFromStats(realB, realA),
    frechetSamples: n,
  };
}

/** Share of rows (softmax probabilities of `classes`) whose top class probability exceeds CONFIDENT_PROBABILITY. */
function confidentShare(probabilities: Float32Array, classes: number): number {
  const rows = probabilities.length / classes;
  let confident = 0;
  for (let i = 0; i < rows; i++) {
    if (Math.max(...probabilities.subarray(i * classes, (i + 1) * classes)) > CONFIDENT_PROBABILITY) confident++;
  }
  return confident / rows;
}

/**
 * classifierQuality of `n` samples of a generator of the classifier's input shape (latents seeded by `seed`, truncated
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
  const arch = checkClassifierGenerator(generator, classifier);
  if (!Number.isInteger(n) || n < 2)
    throw new ConfigError(`classifier quality: n must be an integer >= 2, got ${n}`, 'bad-metric-input');
  return classifierQuality(classifier, await generatedImages(generator, arch, n, seed, truncation), real, { seed });
}

/**
 * A conditional generator's per-label accuracy: for each label k, the share of `perLabel`
 * samples drawn with label k (latents seeded from `seed`) that the classifier puts in class k.
 * The generator's labels must be the classifier's classes (digits 0..9, emoji categories 0..8).
 */
export async function generatorLabelAccuracy(
  generator: Network,
  classifier: ParamTensors,
  perLabel: number,
  seed: number,
  truncation?: number,
): Promise<number[]> {
  const arch = checkClassifierGenerator(generator, classifier);
  const classes = generator.config.labels;
  if (classes == null)
    throw new ConfigError(
      'label accuracy: the generator is unconditional, it has no labels to check',
      'bad-metric-input',
    );
  if (classes > arch.classes)
    throw new ConfigError(
      `label accuracy: the generator has ${classes} labels, the classifier ${arch.classes} classes`,
      'bad-metric-input',
    );
  if (!Number.isInteger(perLabel) || perLabel < 1)
    throw new ConfigError(`label accuracy: perLabel must be an integer >= 1, got ${perLabel}`, 'bad-metric-input');
  const rng = new Rng(seed);
  const accuracy: number[] = [];
  for (let label = 0; label < classes; label++) {
    const { probabilities } = await classifierOutputs(
      classifier,
      await generatedImages(generator, arch, perLabel, rng.seed(), truncation, label),
      `samples of label ${label}`,
    );
    accuracy.push(predictedClasses(probabilities, arch.classes).filter((c) => c === label).length / perLabel);
  }
  return accuracy;
}

function checkClassifierGenerator(generator: Network, classifier: ParamTensors): ClassifierArch {
  const arch = classifierArch(classifier);
  const { outputShape } = generator.config;
  if (outputShape.join() !== arch.inputShape.join()) {
    throw new ConfigError(
      `classifier quality: the generator makes [${outputShape}] samples; the classifier reads [${arch.inputShape}]`,
      'bad-metric-input',
    );
  }
  return arch;
}

/** `n` samples in [0, 1], drawn BATCH at a time (each batch's latents and labels from its own seed). */
async function generatedImages(
  generator: Network,
  arch: ClassifierArch,
  n: number,
  seed: number,
  truncation?: number,
  label?: number,
): Promise<Float32Array> {
  const { outputRange, latentDim, labels: classes } = generator.config;
  const sampleSize = arch.inputShape.reduce((a, b) => a * b, 1);
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
function imageSource(
  images: Images,
  what: string,
  inputShape: number[],
): { count: number; take: (indices: Int32Array) => tf.Tensor4D } {
  const sampleSize = inputShape.reduce((a, b) => a * b, 1);
  const shape4 = (n: number) => [n, ...inputShape] as [number, number, number, number];
  if (images instanceof tf.Tensor) {
    const trailing = images.shape.slice(1);
    if (images.rank !== 4 || trailing.some((d, i) => d !== inputShape[i])) {
      throw new ConfigError(
        `${what}: expected a tensor [n, ${inputShape.join(', ')}], got [${images.shape.join(', ')}]`,
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
    if (!Array.isArray(shape) || shape.length !== 4 || shape.slice(1).some((d, i) => d !== inputShape[i])) {
      throw new ConfigError(
        `${what}: expected an image array of shape [n, ${inputShape.join(', ')}], got ${JSON.stringify(shape)}`,
        'bad-metric-input',
      );
    }
  }
  if (data.length % sampleSize !== 0) {
    throw new ConfigError(
      `${what}: ${data.length} values are not a whole number of ${inputShape.join('x')} images`,
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
