/**
 * deconv with `size` (dcgan28's first layer: 4x4 -> the top-left 7x7 of 8x8) is the full 'same'
 * transposed conv cropped, in value and in its gradients (the generator trains through it), on
 * cpu and wasm (whose Conv2DBackpropInput then leaves the cropped rows out), at batch > 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/index';
import { deconv } from '../../src/nn/layers';
import { relativeError, seededValues } from '../kernels/helpers';

interface Case {
  name: string;
  /** x: [batch, side, side, in]; the kernel 'size' x 'size', [size, size, out, in]. */
  x: [number, number, number, number];
  kernel: number;
  out: number;
  stride: number;
  crop: number;
}

const CASES: Case[] = [
  {
    name: 'dcgan28 layer 1 (4x4 -> 7x7 of 8x8), per-phase convs',
    x: [3, 4, 4, 32],
    kernel: 5,
    out: 16,
    stride: 2,
    crop: 7,
  },
  {
    name: 'few channels (one combined conv), 5x5 -> 9x9 of 10x10',
    x: [2, 5, 5, 6],
    kernel: 5,
    out: 3,
    stride: 2,
    crop: 9,
  },
  { name: 'stride 3, 4x4 kernel, 3x3 -> 7x7 of 9x9', x: [2, 3, 3, 9], kernel: 4, out: 8, stride: 3, crop: 7 },
  { name: 'even kernel, 4x4 -> 6x6 of 8x8', x: [2, 4, 4, 8], kernel: 4, out: 8, stride: 2, crop: 6 },
  { name: 'no crop: the same as without size', x: [2, 4, 4, 8], kernel: 5, out: 8, stride: 2, crop: 8 },
];

const seeded = (shape: number[], seed: number) =>
  tf.tensor(
    seededValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );

/** The layer's output and its gradients for x, kernel and bias under a seeded weighting of the output. */
async function run(c: Case, cropped: boolean): Promise<Float32Array[]> {
  const x = seeded(c.x, 1) as tf.Tensor4D;
  const params = { 'l/kernel': seeded([c.kernel, c.kernel, c.out, c.x[3]], 2), 'l/bias': seeded([c.out], 3) };
  const weighting = seeded([c.x[0], c.crop, c.crop, c.out], 4);
  const layer = (input: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor) => {
    const p = { 'l/kernel': kernel, 'l/bias': bias };
    if (cropped) return deconv(p, 'l', input as tf.Tensor4D, c.stride, c.crop);
    return tf.slice(deconv(p, 'l', input as tf.Tensor4D, c.stride), [0, 0, 0, 0], [-1, c.crop, c.crop, -1]);
  };
  const out = layer(x, params['l/kernel'], params['l/bias']);
  const grads = tf.grads((a: tf.Tensor, k: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layer(a, k, b), weighting)))([
    x,
    params['l/kernel'],
    params['l/bias'],
  ]);
  expect(out.shape).toEqual([c.x[0], c.crop, c.crop, c.out]);
  const values = await Promise.all([out, ...grads].map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, out, weighting, ...grads, ...Object.values(params)]);
  return values;
}

describe('deconv cropped to size', () => {
  it.each(CASES)('equals the full transposed conv cropped, value and gradients, on cpu and wasm: $name', async (c) => {
    await tf.setBackend('cpu');
    const reference = await run(c, false);
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const actual = await run(c, true);
      actual.forEach((values, i) =>
        expect(relativeError(values, reference[i]), `${backend}, output ${i}`).toBeLessThan(1e-5),
      );
    }
  });
});
