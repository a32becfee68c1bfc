import * as tf from '@tensorflow/tfjs-core';

/**
 * A cast to float32 passes the gradient; a cast to int32 or bool is piecewise constant, so its
 * gradient is zero (as in TensorFlow). tfjs passed dy through every cast, so
 * cast(cast(x, 'int32'), 'float32') had gradient 1 where the truth is 0.
 */
export const castGradConfig: tf.GradConfig = {
  kernelName: tf.Cast,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { dtype } = attrs as unknown as tf.CastAttrs;
    return { x: () => (dtype === 'float32' ? tf.clone(dy as tf.Tensor) : tf.zeros(x.shape)) };
  },
};
