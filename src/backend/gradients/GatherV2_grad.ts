import * as tf from '@tensorflow/tfjs-core';

/**
 * gather's gradient sums dy into the gathered rows (unsortedSegmentSum). tfjs's version calls
 * chained methods (x.split) that tfjs-core alone does not install, so batchDims > 0 threw
 * "x.split is not a function"; and it returned the int32 indices as their own gradient, which
 * the engine rejects when the indices were computed from a differentiated input.
 */
export const gatherV2GradConfig: tf.GradConfig = {
  kernelName: tf.GatherV2,
  inputsToSave: ['x', 'indices'],
  gradFunc: (dy, saved, attrs) => {
    const [x, indices] = saved;
    const { axis, batchDims } = attrs as unknown as tf.GatherV2Attrs;
    const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0];
    return {
      x: () => gatherAdjoint(dy as tf.Tensor, x.shape, indices, parsedAxis, batchDims ?? 0),
      indices: () => tf.zeros(indices.shape),
    };
  },
};

function gatherAdjoint(
  dy: tf.Tensor,
  xShape: number[],
  indices: tf.Tensor,
  axis: number,
  batchDims: number,
): tf.Tensor {
  if (batchDims > 0) {
    // One gather per batch entry, each with batchDims 0.
    const batch = xShape.slice(0, batchDims).reduce((a, b) => a * b, 1);
    const dys = tf.unstack(tf.reshape(dy, [batch, ...dy.shape.slice(batchDims)]));
    const ids = tf.unstack(tf.reshape(indices, [batch, ...indices.shape.slice(batchDims)]));
    const inner = xShape.slice(batchDims);
    return tf.reshape(tf.stack(dys.map((d, b) => gatherAdjoint(d, inner, ids[b], axis - batchDims, 0))), xShape);
  }
  const outer = xShape.slice(0, axis);
  const inner = xShape.slice(axis + 1);
  const values = tf.reshape(dy, [...outer, indices.size, ...inner]);
  // The gathered axis first, summed into its rows, then back in place.
  const perm = [outer.length, ...outer.map((_, i) => i), ...inner.map((_, i) => outer.length + 1 + i)];
  const summed = tf.unsortedSegmentSum(tf.transpose(values, perm), tf.reshape(indices, [indices.size]), xShape[axis]);
  return tf.transpose(summed, tf.backend_util.getUndoAxesPermutation(perm));
}
