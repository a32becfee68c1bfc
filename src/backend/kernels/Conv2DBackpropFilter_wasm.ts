/**
 * Conv2DBackpropFilter for the WASM backend, which tfjs 4.22 lacks (tfjs issue 8474), so no
 * conv net could train there.
 *
 * The filter gradient  dW[kh,kw,ci,co] = sum_{b,oh,ow} xpad[b, oh*s+kh, ow*s+kw, ci] * dy[b,oh,ow,co]
 * is itself a convolution, over the batch: x seen as Cin images [Cin, H, W, B] with B channels,
 * dy as an [OH, OW, B, Cout] filter dilated by the forward stride. So it runs on the backend's
 * XNNPACK Conv2D at full speed; only x, dy and the small result are transposed around it.
 */
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelBackend,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { composeKernels } from './compose';

/** x [B,H,W,Cin] -> [Cin,H,W,B]; NCHW x [B,Cin,H,W] -> the same. */
const IMAGES_PERM = { channelsLast: [3, 1, 2, 0], channelsFirst: [1, 2, 3, 0] };
/** dy [B,OH,OW,Cout] -> [OH,OW,B,Cout]; NCHW dy [B,Cout,OH,OW] -> the same. */
const DY_FILTER_PERM = { channelsLast: [1, 2, 0, 3], channelsFirst: [2, 3, 0, 1] };
/** The conv's result [Cin,KH,KW,Cout] -> the filter layout [KH,KW,Cin,Cout]. */
const FILTER_PERM = [1, 2, 0, 3];

export function conv2DBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: KernelBackend;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs: { x, dy }, backend, attrs } = args;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (x.shape.length !== 4 || dy.shape.length !== 4) {
    throw new Error(`Conv2DBackpropFilter (wasm): x and dy must be rank 4, got x [${x.shape}] and dy [${dy.shape}].`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (info.outShape.some((size, axis) => size !== dy.shape[axis])) {
    throw new Error(
      `Conv2DBackpropFilter (wasm): dy has shape [${dy.shape}], but a conv of x [${x.shape}] with filter ` +
        `[${filterShape}], strides ${JSON.stringify(strides)} and pad ${JSON.stringify(pad)} gives [${info.outShape}].`,
    );
  }
  const { filterHeight, filterWidth, strideHeight, strideWidth, outHeight, outWidth, inHeight, inWidth, padInfo } = info;
  // Only the zero rows/columns the dilated dy filter reaches are padded; the forward conv's
  // extra bottom/right padding is never read, and unread x rows are cropped off the result.
  const padBottom = Math.max(0, (outHeight - 1) * strideHeight + filterHeight - inHeight - padInfo.top);
  const padRight = Math.max(0, (outWidth - 1) * strideWidth + filterWidth - inWidth - padInfo.left);

  return composeKernels('wasm', backend, (run) => {
    const images = run('Transpose', { x }, { perm: IMAGES_PERM[info.dataFormat] });
    const dyFilter = run('Transpose', { x: dy }, { perm: DY_FILTER_PERM[info.dataFormat] });
    const grad = run(
      'Conv2D',
      { x: images, filter: dyFilter },
      {
        strides: 1,
        dilations: [strideHeight, strideWidth],
        pad: [[0, 0], [padInfo.top, padBottom], [padInfo.left, padRight], [0, 0]],
        dataFormat: 'NHWC',
      },
    );
    const exact = grad.shape[1] === filterHeight && grad.shape[2] === filterWidth;
    const cropped = exact ? grad : run('Slice', { x: grad }, { begin: [0, 0, 0, 0], size: [-1, filterHeight, filterWidth, -1] });
    return run('Transpose', { x: cropped }, { perm: FILTER_PERM });
  });
}

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm as unknown as KernelConfig['kernelFunc'],
};
