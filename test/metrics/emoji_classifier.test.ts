// The emoji categories' classifier (32x32x3 in, 9 classes) beside MNIST's: told apart by its
// weights, scored per class by classAccuracy (checked against an argmax of the logits taken
// here, and against a classifier that can only say one class), saved and loaded as its own
// architecture, and driving the generator measures on a 32x32x3 conditional generator. No emoji
// package is needed: the images are random.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { classifierFromContents } from '../../src/io/classifier_file';
import {
  classAccuracy,
  classifierOutputs,
  generatorClassifierQuality,
  generatorLabelAccuracy,
} from '../../src/metrics/classifier_quality';
import {
  classifierArch,
  classifierFeatures,
  classifierLogits,
  classifierParams,
  EMOJI_CLASSIFIER,
  MNIST_CLASSIFIER,
} from '../../src/models/classifier';
import { archConfig } from '../../src/models/config';
import { createGenerator } from '../../src/models/index';
import { disposeParams, readParams, type Params } from '../../src/nn/params';
import { loadClassifierDir, saveClassifierDir } from '../../src/node/classifier_files';
import { Rng } from '../../src/utils/rng';

const PIXELS = 32 * 32 * 3;
const COUNT = 40;

const randomImages = (count: number, seed: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: count * PIXELS }, () => rng.uniform());
};

let params: Params;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  params = classifierParams(2, EMOJI_CLASSIFIER);
});
afterAll(() => disposeParams(params));

describe('the emoji classifier network', () => {
  it('reads [n, 32, 32, 3], gives [n, 128] features and [n, 9] logits, and is told from MNIST by its weights', async () => {
    expect(classifierArch(params)).toBe(EMOJI_CLASSIFIER);
    const mnist = classifierParams(2);
    expect(classifierArch(mnist)).toBe(MNIST_CLASSIFIER);
    disposeParams(mnist);
    const before = tf.memory().numTensors;
    const [features, logits] = tf.tidy(() => {
      const x = tf.tensor4d(randomImages(3, 1), [3, 32, 32, 3]);
      return [classifierFeatures(params, x), classifierLogits(params, x)];
    });
    expect([features.shape, logits.shape]).toEqual([
      [3, 128],
      [3, 9],
    ]);
    tf.dispose([features, logits]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => tf.tidy(() => classifierFeatures(params, tf.zeros([1, 28, 28, 1])))).toThrow(
      /classifier expects input \[batch, 32, 32, 3\], got \[1, 28, 28, 1\]/,
    );
    const odd = { ...params, 'logits/kernel': tf.zeros([128, 7]) };
    expect(() => classifierArch(odd)).toThrow(
      /logits\/kernel \[128,7\] fit none of mnist-classifier, emoji-classifier/,
    );
    tf.dispose(odd['logits/kernel']);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('classAccuracy', () => {
  it('equals the per-class share of right calls by an argmax of the logits taken here', async () => {
    const images = randomImages(COUNT, 3);
    const labels = Int32Array.from({ length: COUNT }, (_, i) => (i * 7) % 9);
    const before = tf.memory().numTensors;
    const accuracy = await classAccuracy(params, images, labels);
    const predicted = tf.tidy(() => tf.argMax(classifierLogits(params, tf.tensor4d(images, [COUNT, 32, 32, 3])), 1));
    const calls = await predicted.data();
    predicted.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const expected = Array.from({ length: 9 }, (_, k) => {
      const ofK = labels.reduce<number[]>((list, l, i) => (l === k ? [...list, i] : list), []);
      return ofK.filter((i) => calls[i] === k).length / ofK.length;
    });
    expect(accuracy).toEqual(expected);
    // A random net calls some right and some wrong: the comparison above is not all zeros or ones.
    expect(new Set(calls).size).toBeGreaterThan(1);
  });

  it('gives 1 for the only class a classifier can say, 0 for the others and NaN for a class without images', async () => {
    const weights = await readParams(params);
    for (const w of Object.values(weights)) w.values.fill(0);
    weights['logits/bias'].values[4] = 1;
    const constant = classifierFromContents({ architecture: EMOJI_CLASSIFIER, provenance: {}, weights }, 'constant');
    const labels = [0, 4, 4, 8, 1, 4];
    const accuracy = await classAccuracy(constant, randomImages(labels.length, 4), labels);
    expect(accuracy).toEqual([0, 0, NaN, NaN, 1, NaN, NaN, NaN, 0]);
    await expect(classAccuracy(constant, randomImages(2, 5), [0, 9])).rejects.toThrow(
      /label 9 at index 1 is outside 0\.\.8/,
    );
    await expect(classAccuracy(constant, randomImages(2, 5), [0], 'two emoji')).rejects.toThrow(
      /two emoji: 2 images but 1 labels/,
    );
    disposeParams(constant);
  });
});

describe('the committed emoji classifier', () => {
  it('loads as the 9-class 32x32x3 classifier and records its accuracy on Noto, per category too', async () => {
    const contents = await loadClassifierDir('models/classifiers/emoji');
    expect(contents.architecture).toEqual(EMOJI_CLASSIFIER);
    const committed = classifierFromContents(contents, 'models/classifiers/emoji');
    expect(classifierArch(committed)).toBe(EMOJI_CLASSIFIER);
    disposeParams(committed);
    const overall = contents.provenance.metrics?.testAccuracy ?? NaN;
    const perCategory = contents.provenance.testClassAccuracy as number[];
    // The script's bar; the overall accuracy, a mean of the per-category ones weighted by category size, lies between them.
    expect(overall).toBeGreaterThanOrEqual(0.6);
    expect(perCategory).toHaveLength(9);
    expect(Math.max(...perCategory)).toBeGreaterThanOrEqual(overall);
    expect(Math.min(...perCategory)).toBeLessThanOrEqual(overall);
  });
});

describe('emoji classifier folders', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-emoji-classifier-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keep their architecture: the folder loads back as the 9-class, 32x32x3 classifier with the same calls', async () => {
    const weights = await readParams(params);
    await saveClassifierDir(dir, { architecture: EMOJI_CLASSIFIER, provenance: { dataset: 'emoji' }, weights });
    const loaded = await loadClassifierDir(dir);
    expect(loaded.architecture).toEqual(EMOJI_CLASSIFIER);
    const back = classifierFromContents(loaded, dir);
    const images = randomImages(5, 6);
    const [a, b] = [await classifierOutputs(params, images), await classifierOutputs(back, images)];
    expect(b.probabilities).toEqual(a.probabilities);
    disposeParams(back);
  });
});

describe('generator measures with the emoji classifier', () => {
  it('score a 9-label 32x32x3 generator: class shares, Frechet, and an accuracy per label, without leaks', async () => {
    const generator = createGenerator(archConfig('dcgan32', { dim: 4, labels: 9 }), 1);
    const before = tf.memory().numTensors;
    const quality = await generatorClassifierQuality(generator, params, randomImages(80, 7), 40, 3);
    const accuracy = await generatorLabelAccuracy(generator, params, 10, 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(quality.classShares).toHaveLength(9);
    expect(quality.classShares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(quality.frechet).toBeGreaterThan(0);
    expect(accuracy).toHaveLength(9);
    expect(accuracy.every((a) => a >= 0 && a <= 1 && Number.isInteger(a * 10))).toBe(true);
    disposeParams(generator.params);

    const digits = createGenerator(archConfig('dcgan28', { dim: 4, labels: 9 }), 1);
    await expect(generatorLabelAccuracy(digits, params, 10, 3)).rejects.toThrow(
      /the generator makes \[28,28,1\] samples; the classifier reads \[32,32,3\]/,
    );
    const many = createGenerator(archConfig('dcgan32', { dim: 4, labels: 10 }), 1);
    await expect(generatorLabelAccuracy(many, params, 10, 3)).rejects.toThrow(
      /the generator has 10 labels, the classifier 9 classes/,
    );
    disposeParams(digits.params);
    disposeParams(many.params);
  });
});
