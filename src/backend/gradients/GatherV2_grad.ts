import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs's GatherV2 gradient hands back the indices themselves (int32) as their gradient, so any
 * tape where the indices depend on a variable (a latent mixture's argmax, when a generator is
 * inverted through it) fails with "The gradient of input indices must have 'float32' dtype".
 * The indices are piecewise constant: their gradient is zero. The gradient for x stays tfjs's
 * (`tfjs`, the config registered before this one).
 */
export function gatherV2GradConfig(tfjs: tf.GradConfig): tf.GradConfig {
  return {
    ...tfjs,
    gradFunc: (dy, saved, attrs) => ({ x: tfjs.gradFunc(dy, saved, attrs).x, indices: () => tf.zeros(saved[1].shape) }),
  };
}
