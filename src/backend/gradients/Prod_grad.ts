import * as tf from '@tensorflow/tfjs-core';

/**
 * d prod(x) / d x_i is the product of the other elements (right with zeros, where prod / x_i
 * is not). tfjs's version calls a chained method (permutedX.reshape) that tfjs-core alone does
 * not install, so it threw. Here: each element's others, as the product of x with that
 * element replaced by 1 (n x n per reduced row, fine for the short axes reductions have).
 */
export const prodGradConfig: tf.GradConfig = {
  kernelName: tf.Prod,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { axis } = attrs as unknown as tf.ProdAttrs;
    return {
      x: () => {
        const axes = tf.util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape);
        // Reduced axes last, merged into one of length n.
        const perm = [...x.shape.map((_, i) => i).filter((a) => !axes.includes(a)), ...axes];
        const outer = perm.slice(0, perm.length - axes.length).map((a) => x.shape[a]);
        const n = axes.reduce((size, a) => size * x.shape[a], 1);
        const rows = tf.expandDims(tf.reshape(tf.transpose(x, perm), [...outer, n]), -2); // [..., 1, n]
        const diagonal = tf.cast(tf.eye(n), 'bool');
        const others = tf.prod(tf.where(diagonal, tf.ones([n, n]), rows), -1); // [..., n]
        const grad = tf.mul(others, tf.reshape(dy as tf.Tensor, [...outer, 1]));
        return tf.transpose(
          tf.reshape(
            grad,
            perm.map((a) => x.shape[a]),
          ),
          tf.backend_util.getUndoAxesPermutation(perm),
        );
      },
    };
  },
};
