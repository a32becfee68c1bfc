import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/index';
import { randomNormal, seededRandom } from '../helpers/gradcheck';

/**
 * A penalty-style second-order gradient through every kernel whose gradient the layer adds
 * or replaces: d/dw of ||d/dx f(x, w)||^2.
 */
function secondOrderThroughTheLayer(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor): tf.Tensor[] {
  const f = (input: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
    const up = tf.conv2dTranspose(input as tf.Tensor4D, w as tf.Tensor4D, [2, 8, 8, 4], 2, 'same'); // [2,8,8,4]
    const activated = tf.elu(tf.maximum(tf.leakyRelu(up, 0.2), b)); // b broadcasts from [4]
    const moved = tf.depthToSpace(activated as tf.Tensor4D, 2); // [2,16,16,1]
    const strided = tf.stridedSlice(moved, [0, 1, 0, 0], [2, 16, 16, 1], [1, 2, 3, 1]); // [2,8,6,1]
    const clipped = tf.clipByValue(strided, -1, 1);
    const mixing = tf.reshape(tf.slice(w, [0, 0, 0, 0], [2, 3, 4, 5]), [6, 20]);
    const batched = tf.matMul(tf.reshape(clipped, [2, 8, 6]), mixing); // [2,8,6] x [6,20]: broadcast batch
    return tf.sum(tf.squaredDifference(batched, tf.mean(batched, -1, true)));
  };
  return tf.grads((w: tf.Tensor, b: tf.Tensor) => {
    const slopes = tf.grad((input: tf.Tensor) => f(input, w, b))(x);
    return tf.sum(tf.square(slopes));
  })([filter, bias]);
}

describe.each(['cpu', 'wasm'] as const)('second-order gradients leak no tensors on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('numTensors is unchanged after a second-order gradient inside tf.tidy', async () => {
    const rand = seededRandom(5);
    const x = randomNormal(rand, [2, 4, 4, 5]) as tf.Tensor4D;
    const filter = randomNormal(rand, [5, 5, 4, 5]) as tf.Tensor4D;
    const bias = randomNormal(rand, [4]);
    const before = tf.memory().numTensors;
    const grads = tf.tidy(() => secondOrderThroughTheLayer(x, filter, bias));
    expect(grads.map((g) => g.shape)).toEqual([filter.shape, bias.shape]);
    expect(tf.memory().numTensors).toBe(before + grads.length);
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, filter, bias]);
  });
});
