import * as tf from '@tensorflow/tfjs-core';

type PoolAttrs = {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
};

/**
 * maxPool's gradient: dy goes to each window's maximum, found by maxPoolWithArgmax (flat
 * indices into x) and summed there by unsortedSegmentSum, whose gradient is a gather, so
 * every order works. tfjs's MaxPoolGrad kernel on wasm gives zero to maxima next to 'same'
 * padding when the window's values are all negative (it takes the padding for 0), and it has
 * no gradient of its own.
 */
export const maxPoolGradConfig: tf.GradConfig = {
  kernelName: tf.MaxPool,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    return {
      x: () => {
        const indices = argmaxIndices(x as tf.Tensor4D, attrs as unknown as PoolAttrs);
        return tf.reshape(tf.unsortedSegmentSum(tf.reshape(dy as tf.Tensor, [-1]), indices, x.size), x.shape);
      },
    };
  },
};

/**
 * MaxPoolGrad(dy, input, output) is linear in dy: its adjoint reads ddx at each window's
 * maximum. Nothing flows to input or output (the choice of maximum is piecewise constant).
 */
export const maxPoolGradGradConfig: tf.GradConfig = {
  kernelName: tf.MaxPoolGrad,
  inputsToSave: ['dy', 'input', 'output'],
  gradFunc: (ddx, saved, attrs) => {
    const [dy, input, output] = saved;
    return {
      dy: () =>
        tf.reshape(
          tf.gather(
            tf.reshape(ddx as tf.Tensor, [-1]),
            argmaxIndices(input as tf.Tensor4D, attrs as unknown as PoolAttrs),
          ),
          dy.shape,
        ),
      input: () => tf.zeros(input.shape),
      output: () => tf.zeros(output.shape),
    };
  },
};

/** Each window's maximum as a flat index into x (batch included), flattened: int32. */
function argmaxIndices(x: tf.Tensor4D, { filterSize, strides, pad }: PoolAttrs): tf.Tensor1D {
  if (typeof pad === 'number') {
    // maxPoolWithArgmax takes only 'valid' and 'same'.
    throw new Error(`wgan-edge: the gradient of maxPool supports pad 'valid' or 'same', got ${pad}.`);
  }
  const { indexes } = tf.maxPoolWithArgmax(x, filterSize, strides, pad, true);
  return tf.reshape(indexes, [-1]);
}

/** The argmax is piecewise constant in x: a zero gradient lets higher orders pass it. */
export const maxPoolWithArgmaxGradConfig: tf.GradConfig = {
  kernelName: tf.MaxPoolWithArgmax,
  inputsToSave: ['x'],
  gradFunc: (_dys, saved) => ({ x: () => tf.zeros(saved[0].shape) }),
};
