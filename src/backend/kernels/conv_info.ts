/** The geometry a convolution's gradient kernel works in, checked against the dy it was given. */
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';

export type Shape4 = [number, number, number, number];

/** The conv attributes the backprop kernels share (tfjs's Conv2DBackprop* and DepthwiseConv2dNativeBackprop*). */
export interface BackpropConvAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: 'NHWC' | 'NCHW';
}

/**
 * computeConv2DInfo of the forward conv of x [xShape] with filter [filterShape], and an error
 * naming the kernel and every shape where dy is not rank 4 or not the forward's output.
 */
export function backpropConvInfo(
  kernel: string,
  xShape: Shape4,
  filterShape: Shape4,
  attrs: BackpropConvAttrs,
  dy: TensorInfo,
  depthwise = false,
): backend_util.Conv2DInfo {
  const { strides, pad, dilations, dimRoundingMode, dataFormat } = attrs;
  if (dy.shape.length !== 4) throw new Error(`${kernel} (wasm): dy must be rank 4, got [${dy.shape}].`);
  const info = backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    depthwise,
    backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC'),
  );
  if (info.outShape.some((size, axis) => size !== dy.shape[axis])) {
    throw new Error(
      `${kernel} (wasm): dy has shape [${dy.shape}], but a ${depthwise ? 'depthwise ' : ''}conv of x [${xShape}] ` +
        `with filter [${filterShape}], strides ${JSON.stringify(strides)} and pad ${JSON.stringify(pad)} gives [${info.outShape}].`,
    );
  }
  return info;
}
