import * as tf from '@tensorflow/tfjs-core';
import { sumToShape } from './sum_to_shape';

/** Ties go to `a`, as in tfjs. */
export const maximumGradConfig: tf.GradConfig = {
  kernelName: tf.Maximum,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const grad = dy as tf.Tensor;
    return {
      a: () => sumToShape(tf.mul(grad, tf.cast(tf.greaterEqual(a, b), 'float32')), a.shape),
      b: () => sumToShape(tf.mul(grad, tf.cast(tf.less(a, b), 'float32')), b.shape),
    };
  },
};
