import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs has no StridedSlice gradient. The gradient puts dy back where the slice took it
 * from, zeros elsewhere. Built from reshape, reverse, pad and slice, which are all
 * differentiable, so higher orders work too.
 */
export const stridedSliceGradConfig: tf.GradConfig = {
  kernelName: tf.StridedSlice,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask } =
      attrs as unknown as tf.StridedSliceAttrs;
    // The dense spec: one begin/end/stride per axis of x, masks and ellipsis resolved.
    const spec = tf.slice_util.sliceInfo(
      x.shape,
      begin,
      end,
      strides,
      beginMask,
      endMask,
      ellipsisMask,
      newAxisMask,
      shrinkAxisMask,
    );
    return { x: () => scatterSlice(dy as tf.Tensor, x.shape, spec.begin, spec.end, spec.strides) };
  },
};

function scatterSlice(dy: tf.Tensor, xShape: number[], begin: number[], end: number[], strides: number[]): tf.Tensor {
  // Elements taken per axis (as tfjs's sliceInfo counts them); new axes have size 1 and
  // shrunk axes took 1, so dy reshapes to one dimension per axis of x.
  const counts = xShape.map((_, i) => takenCount(begin[i], end[i], strides[i]));
  if (counts.some((n) => n === 0)) return tf.zeros(xShape);
  let grad = tf.reshape(dy, counts);
  const padding: [number, number][] = [];
  for (let axis = 0; axis < xShape.length; axis++) {
    const n = counts[axis];
    const step = Math.abs(strides[axis]);
    // Walk a negative stride from its lowest index upwards instead.
    const lowest = strides[axis] > 0 ? begin[axis] : begin[axis] + (n - 1) * strides[axis];
    if (strides[axis] < 0) grad = tf.reverse(grad, axis);
    if (step > 1) grad = spreadWithZeros(grad, axis, step);
    const span = (n - 1) * step + 1;
    padding.push([lowest, xShape[axis] - lowest - span]);
  }
  return tf.pad(grad, padding);
}

function takenCount(begin: number, end: number, stride: number): number {
  const interval = end - begin;
  if (interval === 0 || interval < 0 !== stride < 0) return 0;
  return Math.ceil(interval / stride);
}

/** [.., n, ..] -> [.., (n - 1) * step + 1, ..]: step - 1 zeros between neighbours on `axis`. */
function spreadWithZeros(t: tf.Tensor, axis: number, step: number): tf.Tensor {
  const n = t.shape[axis];
  const padding: [number, number][] = t.shape.map(() => [0, 0]);
  padding.splice(axis + 1, 0, [0, step - 1]);
  const spread = tf.reshape(
    tf.pad(tf.expandDims(t, axis + 1), padding),
    t.shape.map((d, i) => (i === axis ? d * step : d)),
  );
  const size = t.shape.map((d, i) => (i === axis ? (n - 1) * step + 1 : d));
  return tf.slice(
    spread,
    t.shape.map(() => 0),
    size,
  );
}
