import * as tf from '@tensorflow/tfjs-core';

type PoolAttrs = {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/**
 * avgPool's gradient, built from differentiable ops so that every order works: dy divided by
 * each window's count of pixels inside x (what the forward divides by: with 'same' padding the
 * border windows hold fewer), then spread back over the windows by a transposed convolution
 * with a ones filter, channels taken as batch. tfjs's AvgPoolGrad kernel divides by the full
 * window size on cpu and wasm, wrong at every 'same' border.
 */
export const avgPoolGradConfig: tf.GradConfig = {
  kernelName: tf.AvgPool,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    return {
      x: () =>
        avgPoolAdjoint(dy as tf.Tensor4D, x.shape as [number, number, number, number], attrs as unknown as PoolAttrs),
    };
  },
};

/** AvgPoolGrad(dy, input) is linear in dy, its adjoint is avgPool itself; nothing flows to `input`. */
export const avgPoolGradGradConfig: tf.GradConfig = {
  kernelName: tf.AvgPoolGrad,
  inputsToSave: ['input'],
  gradFunc: (ddx, saved, attrs) => {
    const [input] = saved;
    const { filterSize, strides, pad } = attrs as unknown as PoolAttrs;
    return {
      dy: () => tf.avgPool(ddx as tf.Tensor4D, filterSize, strides, pad),
      input: () => tf.zeros(input.shape),
    };
  },
};

export function avgPoolAdjoint(
  dy: tf.Tensor4D,
  xShape: [number, number, number, number],
  attrs: PoolAttrs,
): tf.Tensor4D {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = tf.backend_util.computePool2DInfo(xShape, filterSize, strides, 1, pad, dimRoundingMode);
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
  } = info;
  const inside = (start: number, size: number, length: number) => Math.min(start + size, length) - Math.max(start, 0);
  const reciprocals = new Float32Array(outHeight * outWidth);
  for (let r = 0; r < outHeight; r++) {
    const rows = inside(r * strideHeight - info.padInfo.top, filterHeight, inHeight);
    for (let c = 0; c < outWidth; c++) {
      reciprocals[r * outWidth + c] = 1 / (rows * inside(c * strideWidth - info.padInfo.left, filterWidth, inWidth));
    }
  }
  const scaled = tf.mul(dy, tf.tensor4d(reciprocals, [1, outHeight, outWidth, 1]));
  const channelsAsBatch = tf.reshape(tf.transpose(scaled, [0, 3, 1, 2]), [
    batchSize * inChannels,
    outHeight,
    outWidth,
    1,
  ]) as tf.Tensor4D;
  const spread = tf.conv2dTranspose(
    channelsAsBatch,
    tf.ones([filterHeight, filterWidth, 1, 1]) as tf.Tensor4D,
    [batchSize * inChannels, inHeight, inWidth, 1],
    [strideHeight, strideWidth],
    explicitPadding(info),
  );
  return tf.transpose(tf.reshape(spread, [batchSize, inChannels, inHeight, inWidth]), [0, 2, 3, 1]);
}

/** The pool's own padding, explicit, so the transposed conv sizes and places its windows the same way. */
export function explicitPadding(info: tf.backend_util.Conv2DInfo): tf.backend_util.ExplicitPadding {
  const { top, bottom, left, right } = info.padInfo;
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}
