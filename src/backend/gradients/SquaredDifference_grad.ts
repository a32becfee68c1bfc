import * as tf from '@tensorflow/tfjs-core';
import { sumToShape } from './sum_to_shape';

/** d/da (a - b)^2 = 2 (a - b), d/db = -2 (a - b). */
export const squaredDifferenceGradConfig: tf.GradConfig = {
  kernelName: tf.SquaredDifference,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const grad = dy as tf.Tensor;
    return {
      a: () => sumToShape(tf.mul(grad, tf.mul(2, tf.sub(a, b))), a.shape),
      b: () => sumToShape(tf.mul(grad, tf.mul(2, tf.sub(b, a))), b.shape),
    };
  },
};
