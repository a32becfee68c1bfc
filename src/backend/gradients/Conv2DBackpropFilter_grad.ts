import * as tf from '@tensorflow/tfjs-core';

/**
 * Conv2DBackpropFilter(x, dy) is bilinear: it is the filter gradient of <dy, conv2d(x, w)>.
 * So its gradient for an upstream filter-shaped `ddw` is conv2d(x, ddw) for dy and
 * Conv2DBackpropInput(dy, ddw) for x. Needed for the second order of conv2dTranspose
 * (and of conv2d's input gradient) with respect to the filter, which tfjs lacks.
 */
export const conv2DBackpropFilterGradConfig: tf.GradConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  inputsToSave: ['x', 'dy'],
  gradFunc: (ddw, saved, attrs) => {
    const [x, dy] = saved;
    const filter = ddw as tf.Tensor4D;
    const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    return {
      x: () =>
        tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, {
          strides,
          pad,
          dataFormat,
          dimRoundingMode,
          inputShape: x.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
      dy: () => tf.conv2d(x as tf.Tensor4D, filter, strides, pad, dataFormat, 1, dimRoundingMode),
    };
  },
};
