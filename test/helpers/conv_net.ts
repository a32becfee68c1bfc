// A small DCGAN-shaped net for comparing thread counts of the WASM backend (Node and browser).
import * as tf from '@tensorflow/tfjs-core';

/**
 * Forward + backward of two 5x5 stride-2 convs down and one transposed conv back up, with
 * seeded weights and input: the loss and each weight's gradient. Sync readback: wasm only.
 */
export function convNetGradients(seed: number): { loss: number; grads: Float32Array[] } {
  const w1 = tf.variable(tf.randomNormal([5, 5, 1, 16], 0, 0.2, 'float32', seed));
  const w2 = tf.variable(tf.randomNormal([5, 5, 16, 32], 0, 0.05, 'float32', seed + 1));
  const w3 = tf.variable(tf.randomNormal([5, 5, 16, 32], 0, 0.05, 'float32', seed + 2));
  const x = tf.randomNormal([8, 28, 28, 1], 0, 1, 'float32', seed + 3);
  const { value, grads } = tf.variableGrads(() => {
    const h1 = tf.leakyRelu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 2, 'same'), 0.2);
    const h2 = tf.leakyRelu(tf.conv2d(h1, w2 as tf.Tensor4D, 2, 'same'), 0.2);
    const up = tf.conv2dTranspose(h2, w3 as tf.Tensor4D, [8, 14, 14, 16], 2, 'same');
    return tf.mean(tf.square(tf.sub(up, h1)));
  }, [w1, w2, w3]);
  const out = { loss: value.dataSync()[0], grads: [w1, w2, w3].map((w) => grads[w.name].dataSync() as Float32Array) };
  tf.dispose([w1, w2, w3, x, value, ...Object.values(grads)]);
  return out;
}

export function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let max = 0;
  a.forEach((x, i) => x.forEach((v, j) => (max = Math.max(max, Math.abs(v - b[i][j])))));
  return max;
}
