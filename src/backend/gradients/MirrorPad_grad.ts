import * as tf from '@tensorflow/tfjs-core';

/**
 * mirrorPad copies rows next to each edge into the padding, so their gradient is the sum of
 * dy at the row and at its mirror images. tfjs's version only slices the middle out of dy and
 * drops the mirrored parts. Built from slice, reverse, pad and add: every order works.
 */
export const mirrorPadGradConfig: tf.GradConfig = {
  kernelName: tf.MirrorPad,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { paddings, mode } = attrs as unknown as tf.MirrorPadAttrs;
    // reflect leaves the edge row out of the mirror, symmetric repeats it.
    const skip = mode === 'reflect' ? 1 : 0;
    return {
      x: () => {
        let grad = dy as tf.Tensor;
        paddings.forEach(([before, after], axis) => {
          const n = x.shape[axis];
          const along = (begin: number, size: number) =>
            tf.slice(grad, begin0(grad.rank, axis, begin), size0(grad.shape, axis, size));
          const spread = (t: tf.Tensor, lead: number) =>
            tf.pad(t, padOn(t.rank, axis, [lead, n - lead - t.shape[axis]]));
          let folded = along(before, n);
          if (before > 0) folded = tf.add(folded, spread(tf.reverse(along(0, before), axis), skip));
          if (after > 0) folded = tf.add(folded, spread(tf.reverse(along(before + n, after), axis), n - after - skip));
          grad = folded;
        });
        return grad;
      },
    };
  },
};

const begin0 = (rank: number, axis: number, begin: number) =>
  Array.from({ length: rank }, (_, i) => (i === axis ? begin : 0));
const size0 = (shape: number[], axis: number, size: number) => shape.map((d, i) => (i === axis ? size : d));
const padOn = (rank: number, axis: number, pad: [number, number]) =>
  Array.from({ length: rank }, (_, i) => (i === axis ? pad : [0, 0])) as [number, number][];
