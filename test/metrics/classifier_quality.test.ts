// The project's quality measure with the committed classifier (models/classifiers/mnist) on
// real MNIST test images, on WASM.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import type { ImageArray } from '../../src/data/images';
import { classifierFromContents } from '../../src/io/classifier_file';
import {
  classifierOutputs,
  classifierQuality,
  generatorClassifierQuality,
  predictedClasses,
  randomSubset,
} from '../../src/metrics/classifier_quality';
import { frechetDistance } from '../../src/metrics/frechet';
import { CLASSIFIER_FEATURES, classifierFeatures, classifierLogits } from '../../src/models/classifier';
import { archConfig } from '../../src/models/config';
import { createGenerator } from '../../src/models/index';
import { disposeParams, type Params } from '../../src/nn/params';
import { loadClassifierDir } from '../../src/node/classifier_files';
import { loadMnist, loadMnistLabels } from '../../src/node/mnist';
import { seededLatents } from '../../src/sample/latent_paths';
import { latents } from '../../src/sample/latents';
import { Rng } from '../../src/utils/rng';

const CLASSIFIER_DIR = 'models/classifiers/mnist';
/** Test images scored here: the first 2000 of MNIST test (the training script scores all 10000). */
const SCORED = 2000;
const GENERATED = 300;
const PIXELS = 28 * 28;

let params: Params;
let test: ImageArray;
let labels: Uint8Array;

/** Images [from, from + count) of the test split as floats in [0, 1]. */
const floats = (from: number, count: number) =>
  Float32Array.from(test.data.subarray(from * PIXELS, (from + count) * PIXELS), (v) => v / 255);

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  params = classifierFromContents(await loadClassifierDir(CLASSIFIER_DIR), CLASSIFIER_DIR);
  test = await loadMnist('test', { limit: SCORED });
  labels = await loadMnistLabels('test', { limit: SCORED });
});

afterAll(() => disposeParams(params));

describe('the committed MNIST classifier', () => {
  it('classifies held-out digits, and says so in its provenance', async () => {
    const before = tf.memory().numTensors;
    const { probabilities, features, count } = await classifierOutputs(params, test);
    expect(tf.memory().numTensors).toBe(before);
    expect(count).toBe(SCORED);
    const predicted = predictedClasses(probabilities);
    const accuracy = predicted.reduce((n, c, i) => n + (c === labels[i] ? 1 : 0), 0) / SCORED;
    expect(accuracy).toBeGreaterThanOrEqual(0.98);
    const provenance = (await loadClassifierDir(CLASSIFIER_DIR)).provenance;
    expect((provenance.metrics as Record<string, number>).testAccuracy).toBeGreaterThanOrEqual(0.98);
    // Features are ReLU outputs; probabilities are rows summing to 1.
    expect(features.every((v) => v >= 0)).toBe(true);
    for (let i = 0; i < 10; i++)
      expect(probabilities.subarray(i * 10, i * 10 + 10).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('gives batched outputs equal to one direct forward pass (tensor input, no leaks)', async () => {
    const images = tf.tensor4d(floats(0, 600), [600, 28, 28, 1]); // two batches of classifierOutputs
    const before = tf.memory().numTensors;
    const outputs = await classifierOutputs(params, images);
    expect(tf.memory().numTensors).toBe(before);
    const [direct, logits] = tf.tidy(() => [
      classifierFeatures(params, images),
      tf.softmax(classifierLogits(params, images)),
    ]);
    const [f, p] = [await direct.data(), await logits.data()];
    tf.dispose([direct, logits, images]);
    expect(outputs.features.reduce((m, v, i) => Math.max(m, Math.abs(v - f[i])), 0)).toBeLessThan(1e-5);
    expect(outputs.probabilities.reduce((m, v, i) => Math.max(m, Math.abs(v - p[i])), 0)).toBeLessThan(1e-6);
  });
});

describe('classifierQuality', () => {
  it('scores real digits as real: confident, balanced, Frechet at the real-vs-real baseline', async () => {
    const before = tf.memory().numTensors;
    const quality = await classifierQuality(params, floats(0, GENERATED), {
      data: test.data.subarray(GENERATED * PIXELS),
      shape: [SCORED - GENERATED, 28, 28, 1],
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(quality.frechetSamples).toBe(GENERATED);
    expect(quality.confidentShare).toBeGreaterThan(0.9);
    // Real subset B is real too: the classifier's own ceiling, near the generated (real) share.
    expect(quality.realConfidentShare).toBeGreaterThan(0.9);
    expect(Math.abs(quality.realConfidentShare - quality.confidentShare)).toBeLessThan(0.05);
    expect(quality.classShares).toHaveLength(10);
    expect(quality.classShares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    for (const share of quality.classShares) expect(Math.abs(share - 0.1)).toBeLessThan(0.05);
    // Real vs real differs from the baseline only by which real images were drawn.
    expect(quality.frechet).toBeLessThan(2 * quality.frechetRealBaseline);
    expect(quality.frechetRealBaseline).toBeLessThan(2 * quality.frechet);
    // Cross-check: the same distance from features of the same images, gathered here by hand.
    const subsetA = randomSubset(SCORED - GENERATED, 2 * GENERATED, 0).subarray(0, GENERATED);
    const realA = new Float32Array(GENERATED * PIXELS);
    subsetA.forEach((image, i) => realA.set(floats(GENERATED + image, 1), i * PIXELS));
    const [gen, real] = [await classifierOutputs(params, floats(0, GENERATED)), await classifierOutputs(params, realA)];
    expect(frechetDistance(gen.features, real.features, CLASSIFIER_FEATURES)).toBeCloseTo(quality.frechet, 6);
    // Another seed draws other subsets: a different, similar baseline.
    const reseeded = await classifierQuality(params, floats(0, GENERATED), floats(GENERATED, SCORED - GENERATED), {
      seed: 1,
    });
    expect(reseeded.frechetRealBaseline).not.toBe(quality.frechetRealBaseline);
    expect(reseeded.frechetRealBaseline).toBeLessThan(2 * quality.frechetRealBaseline);
  });

  it('scores noise and a single repeated digit far from real digits', async () => {
    const rng = new Rng(1);
    const noise = Float32Array.from({ length: GENERATED * PIXELS }, () => rng.uniform());
    const real = floats(GENERATED, 2 * GENERATED);
    const noisy = await classifierQuality(params, noise, real);
    const realQuality = await classifierQuality(params, floats(0, GENERATED), real);
    expect(noisy.frechet).toBeGreaterThan(20 * realQuality.frechetRealBaseline);
    // The real reference depends on the real images and the seed, not on what is scored.
    expect(noisy.realConfidentShare).toBe(realQuality.realConfidentShare);
    // Mode collapse: every sample the same digit. The class shares show it.
    const one = floats(0, 1);
    const collapsed = new Float32Array(GENERATED * PIXELS);
    for (let i = 0; i < GENERATED; i++) collapsed.set(one, i * PIXELS);
    const collapsedQuality = await classifierQuality(params, collapsed, real);
    expect(collapsedQuality.classShares[labels[0]]).toBe(1);
    expect(collapsedQuality.frechet).toBeGreaterThan(10 * realQuality.frechetRealBaseline);
  });

  it('rejects bad images naming the problem', async () => {
    const real = floats(0, 20);
    await expect(classifierQuality(params, new Float32Array(5 * 27 * 27), real)).rejects.toThrow(
      /generated images: 3645 values are not a whole number of 28x28x1 images/,
    );
    const bright = floats(0, 5).map((v) => v * 255);
    await expect(classifierQuality(params, bright, real)).rejects.toThrow(
      /generated images: pixels must lie in \[0, 1\]; value [\d.]+ at index \d+ \(image \d\)/,
    );
    await expect(classifierQuality(params, floats(0, 11), real)).rejects.toThrow(
      /11 generated images need at least 22 real ones .* got 20/,
    );
    await expect(classifierOutputs(params, real, 'real images', Int32Array.from([0, 20]))).rejects.toThrow(
      /real images: index 20 \(at 1\) is outside the 20 images/,
    );
    const wrongTensor = tf.zeros([4, 32, 32, 1]);
    await expect(classifierQuality(params, wrongTensor, real)).rejects.toThrow(
      /expected a tensor \[n, 28, 28, 1\], got \[4, 32, 32, 1\]/,
    );
    wrongTensor.dispose();
  });
});

describe('generatorClassifierQuality', () => {
  it('scores a [-1, 1] generator on its samples mapped to [0, 1], seeded, without leaks', async () => {
    const generator = createGenerator(archConfig('dcgan28', { dim: 4, latentDim: 16, outputRange: [-1, 1] }), 3);
    const real = floats(0, 200);
    const before = tf.memory().numTensors;
    const quality = await generatorClassifierQuality(generator, params, real, 60, 9);
    expect(tf.memory().numTensors).toBe(before);
    // The same samples made by hand: one batch, latents from the seed's first draw.
    const byHand = tf.tidy(() =>
      tf.div(tf.add(generator.apply(generator.params, latents(60, 16, new Rng(9).seed())), 1), 2),
    );
    const expected = await classifierQuality(params, (await byHand.data()) as Float32Array, real, { seed: 9 });
    byHand.dispose();
    expect(quality).toEqual(expected);
    // An untrained generator's blurs are far from digits.
    expect(quality.frechet).toBeGreaterThan(5 * quality.frechetRealBaseline);
    disposeParams(generator.params);
  });

  it('with a truncation, scores the samples of the truncated latents the sampling API draws', async () => {
    const generator = createGenerator(archConfig('dcgan28', { dim: 4, latentDim: 16 }), 3);
    const real = floats(0, 200);
    const quality = await generatorClassifierQuality(generator, params, real, 60, 9, 0.5);
    const z = await seededLatents(60, 16, new Rng(9).seed(), 0.5);
    expect(Math.max(...z.map(Math.abs))).toBeLessThanOrEqual(0.5);
    const byHand = tf.tidy(() => generator.apply(generator.params, tf.tensor2d(z, [60, 16])));
    const expected = await classifierQuality(params, (await byHand.data()) as Float32Array, real, { seed: 9 });
    byHand.dispose();
    expect(quality).toEqual(expected);
    expect(quality).not.toEqual(await generatorClassifierQuality(generator, params, real, 60, 9));
    disposeParams(generator.params);
  });

  it('refuses a generator whose samples the classifier cannot read', async () => {
    const generator = createGenerator(archConfig('dcgan32', { dim: 4, latentDim: 8 }), 1);
    await expect(generatorClassifierQuality(generator, params, floats(0, 20), 10, 1)).rejects.toThrow(
      /the generator makes \[32,32,3\] samples; the classifier reads \[28,28,1\]/,
    );
    disposeParams(generator.params);
  });
});
