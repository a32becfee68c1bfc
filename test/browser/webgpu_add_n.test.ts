// tfjs-backend-webgpu sums AddN's inputs in one shader of N + 1 storage buffers; the device
// binds 8 per stage (WebGPU's default, SwiftShader here and the NVIDIA H200 alike), so 8 or more
// inputs gave garbage with no error until the chunked kernel (src/backend/kernels/AddN_webgpu.ts).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/index';
import { seededValues } from '../kernels/helpers';

const SHAPE = [3, 5];
const SIZE = SHAPE[0] * SHAPE[1];
// Around each chunk boundary of a device with 8 storage buffers per stage (7 inputs, then 6 more).
const INPUT_COUNTS = [1, 2, 7, 8, 13, 14, 20, 33];

describe('AddN on webgpu', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'webgpu' });
  });

  it.each(INPUT_COUNTS)('%i inputs: equals their sum taken in JavaScript, and frees what it made', async (count) => {
    const arrays = Array.from({ length: count }, (_, i) => seededValues(SIZE, 100 * count + i));
    const inputs = arrays.map((values) => tf.tensor(values, SHAPE));
    const dataBefore = tf.backend().numDataIds();
    const sum = tf.addN(inputs);
    const values = await sum.data();
    sum.dispose();
    expect(tf.backend().numDataIds()).toBe(dataBefore);
    inputs.forEach((t) => t.dispose());
    const expected = arrays.reduce((total, a) => total.map((v, i) => v + a[i]), new Float32Array(SIZE));
    const worst = Math.max(...expected.map((v, i) => Math.abs(values[i] - v)));
    expect(worst).toBeLessThan(1e-5 * count);
  });
});
