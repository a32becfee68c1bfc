import * as tf from '@tensorflow/tfjs-core';

/**
 * tile's gradient sums dy over the copies, one axis at a time: an axis tiled r times is viewed
 * as [before, r, size * after] and summed over r. Rank 3 at most, whatever x's rank: the WASM
 * backend's broadcasting binary ops return garbage from rank 7 on, which the second order
 * (a Sum's gradient broadcasts) would meet. tfjs's version slices copy by copy and throws
 * beyond rank 4.
 */
export const tileGradConfig: tf.GradConfig = {
  kernelName: tf.Tile,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { reps } = attrs as unknown as tf.TileAttrs;
    return {
      x: () => {
        let grad = dy as tf.Tensor;
        x.shape.forEach((size, axis) => {
          if (reps[axis] === 1) return;
          const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
          const before = count(grad.shape.slice(0, axis));
          const after = count(grad.shape.slice(axis + 1));
          const summed = tf.sum(tf.reshape(grad, [before, reps[axis], size * after]), 1);
          grad = tf.reshape(
            summed,
            grad.shape.map((d, i) => (i === axis ? size : d)),
          );
        });
        return tf.reshape(grad, x.shape);
      },
    };
  },
};
