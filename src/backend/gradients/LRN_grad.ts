import * as tf from '@tensorflow/tfjs-core';

/**
 * localResponseNormalization: y = x * s^-beta, s = bias + alpha * (sum of x^2 over the channels
 * c - r .. c + r). The window sum is a matMul by a symmetric band matrix, so
 * dx = dy * s^-beta - 2 alpha beta x * window(dy * x * s^(-beta - 1)), all differentiable.
 * tfjs's version calls the LRNGrad kernel, which has no gradient: the second order threw.
 */
export const lrnGradConfig: tf.GradConfig = {
  kernelName: tf.LRN,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { depthRadius, bias, alpha, beta } = attrs as unknown as tf.LRNAttrs;
    return {
      x: () => {
        const channels = x.shape[x.rank - 1];
        const window = (t: tf.Tensor) =>
          tf.reshape(tf.matMul(tf.reshape(t, [-1, channels]), bandMatrix(channels, depthRadius)), t.shape);
        const s = tf.add(bias, tf.mul(alpha, window(tf.square(x))));
        const direct = tf.mul(dy as tf.Tensor, tf.pow(s, -beta));
        const throughS = tf.mul(
          tf.mul(-2 * alpha * beta, x),
          window(tf.mul(tf.mul(dy as tf.Tensor, x), tf.pow(s, -beta - 1))),
        );
        return tf.add(direct, throughS);
      },
    };
  },
};

/** [C, C]: 1 where |i - j| <= radius. */
function bandMatrix(channels: number, radius: number): tf.Tensor2D {
  const values = new Float32Array(channels * channels);
  for (let i = 0; i < channels; i++) {
    for (let j = Math.max(0, i - radius); j <= Math.min(channels - 1, i + radius); j++) values[i * channels + j] = 1;
  }
  return tf.tensor2d(values, [channels, channels]);
}
