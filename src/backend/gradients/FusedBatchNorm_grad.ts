import * as tf from '@tensorflow/tfjs-core';
import { sumToShape } from './sum_to_shape';

/**
 * batchNorm: y = (x - mean) * rsqrt(variance + eps) * scale + offset, every input broadcast to
 * x. Each gradient is summed back to its input's shape. tfjs's version reduces only statistics
 * of rank 1, so kept-dims statistics from tf.moments(x, axes, true) ([1, 1, 1, C]) threw.
 */
export const fusedBatchNormGradConfig: tf.GradConfig = {
  kernelName: tf.FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale', 'offset'],
  gradFunc: (dy, saved, attrs) => {
    const [x, mean, variance, scale, offset] = saved;
    const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
    const grad = dy as tf.Tensor;
    const inverse = () => tf.rsqrt(tf.add(variance, varianceEpsilon));
    const scaled = () => (scale == null ? grad : tf.mul(grad, scale));
    return {
      x: () => sumToShape(tf.mul(scaled(), inverse()), x.shape),
      mean: () => sumToShape(tf.neg(tf.mul(scaled(), inverse())), mean.shape),
      // d/dv (v + eps)^(-1/2) = -1/2 (v + eps)^(-3/2).
      variance: () =>
        sumToShape(tf.mul(tf.mul(scaled(), tf.sub(x, mean)), tf.mul(-0.5, tf.pow(inverse(), 3))), variance.shape),
      scale: () => sumToShape(tf.mul(grad, tf.mul(tf.sub(x, mean), inverse())), scale.shape),
      offset: () => sumToShape(grad, offset.shape),
    };
  },
};
