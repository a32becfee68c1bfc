import * as tf from '@tensorflow/tfjs-core';
import { sumToShape } from './sum_to_shape';

/** Ties go to `a`, as in tfjs. */
export const minimumGradConfig: tf.GradConfig = {
  kernelName: tf.Minimum,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const grad = dy as tf.Tensor;
    return {
      a: () => sumToShape(tf.mul(grad, tf.cast(tf.lessEqual(a, b), 'float32')), a.shape),
      b: () => sumToShape(tf.mul(grad, tf.cast(tf.greater(a, b), 'float32')), b.shape),
    };
  },
};
