import * as tf from '@tensorflow/tfjs-core';

/**
 * EluGrad(dy, y) = dy where y >= 0, dy * (y + 1) where y < 0 (y is elu's output; for
 * x < 0, d/dx elu = exp(x) = y + 1). tfjs registers no gradient for it, so the second
 * order of elu throws; this one is built from differentiable ops.
 */
export const eluGradGradConfig: tf.GradConfig = {
  kernelName: tf.EluGrad,
  inputsToSave: ['dy', 'y'],
  gradFunc: (ddx, saved) => {
    const [dy, y] = saved;
    const upstream = ddx as tf.Tensor;
    const negative = () => tf.less(y, 0);
    return {
      dy: () => tf.where(negative(), tf.mul(upstream, tf.add(y, 1)), upstream),
      y: () => tf.where(negative(), tf.mul(upstream, dy), tf.zerosLike(upstream)),
    };
  },
};
