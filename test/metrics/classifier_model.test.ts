// The quality classifier's network: shapes, seeded init, input errors, and the same outputs
// on cpu and wasm (WASM's XNNPACK convs vs tfjs's plain JS ones).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import {
  CLASSIFIER_CLASSES,
  CLASSIFIER_FEATURES,
  classifierFeatures,
  classifierLogits,
  classifierParams,
} from '../../src/models/classifier';
import { assignParams, disposeParams, readParams, type NamedArrays, type Params } from '../../src/nn/params';
import { Rng } from '../../src/utils/rng';

const BATCH = 5;
/** float32 sums in different orders: measured ~1e-6 here. */
const CROSS_BACKEND_TOLERANCE = 1e-4;

function images(seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: BATCH * 28 * 28 }, () => rng.uniform());
}

/** The classifier's variables holding `arrays`, on the current backend. */
function paramsOf(arrays: NamedArrays): Params {
  const params = classifierParams(0);
  assignParams(params, arrays, 'test weights');
  return params;
}

async function outputs(arrays: NamedArrays, pixels: Float32Array) {
  const params = paramsOf(arrays);
  const [features, logits] = tf.tidy(() => {
    const x = tf.tensor4d(pixels, [BATCH, 28, 28, 1]);
    return [classifierFeatures(params, x), classifierLogits(params, x)];
  });
  const result = {
    features: await features.data(),
    logits: await logits.data(),
    shapes: [features.shape, logits.shape],
  };
  tf.dispose([features, logits]);
  disposeParams(params);
  return result;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('classifier network', () => {
  it('gives [n, 128] non-negative features and [n, 10] logits, the same on cpu and wasm', async () => {
    await initBackend({ backend: 'cpu' });
    const params = classifierParams(4);
    const arrays = await readParams(params);
    disposeParams(params);
    const pixels = images(1);
    const onCpu = await outputs(arrays, pixels);
    await initBackend({ backend: 'wasm' });
    const before = tf.memory().numTensors;
    const onWasm = await outputs(arrays, pixels);
    expect(tf.memory().numTensors).toBe(before);
    expect(onWasm.shapes).toEqual([
      [BATCH, CLASSIFIER_FEATURES],
      [BATCH, CLASSIFIER_CLASSES],
    ]);
    expect(Array.from(onWasm.features).every((v) => v >= 0)).toBe(true);
    expect(Array.from(onWasm.features).some((v) => v > 0)).toBe(true);
    expect(maxAbsDiff(onWasm.features, onCpu.features)).toBeLessThan(CROSS_BACKEND_TOLERANCE);
    expect(maxAbsDiff(onWasm.logits, onCpu.logits)).toBeLessThan(CROSS_BACKEND_TOLERANCE);
    // Each image is scored on its own: one image alone gives its row of the batch.
    const params1 = paramsOf(arrays);
    const single = tf.tidy(() =>
      classifierLogits(params1, tf.tensor4d(pixels.subarray(2 * 784, 3 * 784), [1, 28, 28, 1])),
    );
    expect(maxAbsDiff(await single.data(), onWasm.logits.subarray(2 * 10, 3 * 10))).toBeLessThan(
      CROSS_BACKEND_TOLERANCE,
    );
    single.dispose();
    disposeParams(params1);
  });

  it('is seeded: one seed gives the same weights, another seed others', async () => {
    await initBackend({ backend: 'wasm' });
    const [a, b, c] = [classifierParams(7), classifierParams(7), classifierParams(8)];
    const [ra, rb, rc] = await Promise.all([readParams(a), readParams(b), readParams(c)]);
    [a, b, c].forEach(disposeParams);
    expect(ra).toEqual(rb);
    expect(ra['conv2/kernel'].values).not.toEqual(rc['conv2/kernel'].values);
  });

  it('names a wrong input shape', async () => {
    await initBackend({ backend: 'wasm' });
    const params = classifierParams(1);
    const x = tf.zeros([2, 32, 32, 1]);
    expect(() => classifierFeatures(params, x)).toThrow(
      /classifier expects input \[batch, 28, 28, 1\], got \[2, 32, 32, 1\]/,
    );
    x.dispose();
    disposeParams(params);
  });
});
