import * as tf from '@tensorflow/tfjs-core';

/**
 * The depthwise backprops are bilinear, as their Conv2D counterparts: BackpropInput(dy, w)
 * is the x-gradient of <dy, depthwiseConv2d(x, w)> and BackpropFilter(x, dy) its w-gradient.
 * So each one's gradient is the other backprop or the forward conv. tfjs has neither, so the
 * second order of depthwiseConv2d (and separableConv2d) threw.
 */
type DepthwiseAttrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

const depthwise = (x: tf.Tensor, w: tf.Tensor, a: DepthwiseAttrs) =>
  tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, a.strides, a.pad, 'NHWC', a.dilations, a.dimRoundingMode);

const run = (kernel: string, inputs: tf.NamedTensorMap, attrs: object) =>
  tf.engine().runKernel(kernel, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;

export const depthwiseBackpropInputGradConfig: tf.GradConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  inputsToSave: ['dy', 'filter'],
  gradFunc: (ddx, saved, attrs) => {
    const [dy, filter] = saved;
    const a = attrs as unknown as DepthwiseAttrs;
    return {
      dy: () => depthwise(ddx as tf.Tensor, filter, a),
      filter: () =>
        run(tf.DepthwiseConv2dNativeBackpropFilter, { x: ddx as tf.Tensor, dy }, { ...a, filterShape: filter.shape }),
    };
  },
};

export const depthwiseBackpropFilterGradConfig: tf.GradConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  inputsToSave: ['x', 'dy'],
  gradFunc: (ddw, saved, attrs) => {
    const [x, dy] = saved;
    const a = attrs as unknown as DepthwiseAttrs;
    return {
      x: () =>
        run(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter: ddw as tf.Tensor }, { ...a, inputShape: x.shape }),
      dy: () => depthwise(x, ddw as tf.Tensor, a),
    };
  },
};
