/**
 * The depthwise convolution's backprops for the WASM backend, which tfjs 4.22 lacks: no
 * depthwise or separable conv could train there. Both are depthwise convolutions themselves,
 * so they run on the backend's XNNPACK DepthwiseConv2dNative with the forward's multiply-adds:
 *
 * - input:  dx[c] = sum over k of  dy[c*m + k] correlated with W[:, :, c, k] flipped, dy spread
 *   by the stride (zeros between its rows) and padded so dx comes out [H, W]: a depthwise conv
 *   of dy (C*m channels, multiplier 1), then a sum over each channel's m outputs.
 * - filter: dW[i, j, c, k] = sum over b, oh, ow of  x[b, oh*s + i, ow*s + j, c] * dy[b, oh, ow, c*m + k]:
 *   x as one image of B*C channels, dy as its [OH, OW, B*C, m] filter dilated by the stride,
 *   then a sum over the batch.
 */
import {
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelBackend,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { composeKernels } from './compose';
import { backpropConvInfo, type Shape4 } from './conv_info';

export function depthwiseBackpropInputWasm(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const {
    inputs: { dy, filter },
    backend,
    attrs,
  } = args;
  const what = 'DepthwiseConv2dNativeBackpropInput';
  const info = backpropConvInfo(what, attrs.inputShape as Shape4, filter.shape as Shape4, attrs, dy, true);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, padInfo } = info;
  const multiplier = info.outChannels / inChannels;
  const [kh, kw] = filter.shape;
  const spreadHeight = (outHeight - 1) * strideHeight + 1;
  const spreadWidth = (outWidth - 1) * strideWidth + 1;
  const padBefore = [info.effectiveFilterHeight - 1 - padInfo.top, info.effectiveFilterWidth - 1 - padInfo.left];
  if (padBefore.some((p) => p < 0))
    throw new Error(`${what} (wasm): padding ${JSON.stringify(attrs.pad)} wider than the filter is not supported.`);
  // Rows of the spread dy past what dx's last row reads are dropped, not padded.
  const usedHeight = Math.min(spreadHeight, inHeight + padInfo.top);
  const usedWidth = Math.min(spreadWidth, inWidth + padInfo.left);
  return composeKernels('wasm', backend, (run) => {
    let spread = dy;
    if (strideHeight > 1 || strideWidth > 1) {
      const split = run('Reshape', { x: dy }, { shape: [batchSize, outHeight, 1, outWidth, 1, info.outChannels] });
      const padded = run(
        'PadV2',
        { x: split },
        {
          paddings: [
            [0, 0],
            [0, 0],
            [0, strideHeight - 1],
            [0, 0],
            [0, strideWidth - 1],
            [0, 0],
          ],
          constantValue: 0,
        },
      );
      spread = run(
        'Reshape',
        { x: padded },
        { shape: [batchSize, outHeight * strideHeight, outWidth * strideWidth, info.outChannels] },
      );
    }
    if (spread.shape[1] !== usedHeight || spread.shape[2] !== usedWidth) {
      spread = run('Slice', { x: spread }, { begin: [0, 0, 0, 0], size: [-1, usedHeight, usedWidth, -1] });
    }
    const flipped = run('Reverse', { x: filter }, { dims: [0, 1] });
    const perChannel = run('Reshape', { x: flipped }, { shape: [kh, kw, info.outChannels, 1] });
    const grad = run(
      'DepthwiseConv2dNative',
      { x: spread, filter: perChannel },
      {
        strides: 1,
        dilations: [info.dilationHeight, info.dilationWidth],
        pad: [
          [0, 0],
          [padBefore[0], inHeight - usedHeight + padInfo.top],
          [padBefore[1], inWidth - usedWidth + padInfo.left],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    );
    if (multiplier === 1) return grad;
    const split = run('Reshape', { x: grad }, { shape: [batchSize, inHeight, inWidth, inChannels, multiplier] });
    return run('Sum', { x: split }, { axis: [4], keepDims: false });
  });
}

export function depthwiseBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const {
    inputs: { x, dy },
    backend,
    attrs,
  } = args;
  const what = 'DepthwiseConv2dNativeBackpropFilter';
  if (x.shape.length !== 4) throw new Error(`${what} (wasm): x must be rank 4, got [${x.shape}].`);
  const info = backpropConvInfo(what, x.shape as Shape4, attrs.filterShape as Shape4, attrs, dy, true);
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    padInfo,
    filterHeight,
    filterWidth,
  } = info;
  const multiplier = info.outChannels / inChannels;
  // Only the zero rows that outputs read: the window of the last output ends at row
  // (OH - 1) * s + (K - 1) * d of the padded x.
  const padBottom = Math.max(0, (outHeight - 1) * strideHeight + info.effectiveFilterHeight - inHeight - padInfo.top);
  const padRight = Math.max(0, (outWidth - 1) * strideWidth + info.effectiveFilterWidth - inWidth - padInfo.left);
  return composeKernels('wasm', backend, (run) => {
    const image = run(
      'Reshape',
      { x: run('Transpose', { x }, { perm: [1, 2, 0, 3] }) },
      { shape: [1, inHeight, inWidth, batchSize * inChannels] },
    );
    const dyFilter = run(
      'Reshape',
      { x: run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }) },
      { shape: [outHeight, outWidth, batchSize * inChannels, multiplier] },
    );
    let grad = run(
      'DepthwiseConv2dNative',
      { x: image, filter: dyFilter },
      {
        strides: [info.dilationHeight, info.dilationWidth],
        dilations: [strideHeight, strideWidth],
        pad: [
          [0, 0],
          [padInfo.top, padBottom],
          [padInfo.left, padRight],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    );
    if (grad.shape[1] !== filterHeight || grad.shape[2] !== filterWidth) {
      grad = run('Slice', { x: grad }, { begin: [0, 0, 0, 0], size: [-1, filterHeight, filterWidth, -1] });
    }
    const byBatch = run(
      'Reshape',
      { x: grad },
      { shape: [filterHeight * filterWidth, batchSize, inChannels * multiplier] },
    );
    const summed = run('Sum', { x: byBatch }, { axis: [1], keepDims: false });
    return run('Reshape', { x: summed }, { shape: [filterHeight, filterWidth, inChannels, multiplier] });
  });
}

export const depthwiseBackpropInputWasmConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInputWasm as unknown as KernelConfig['kernelFunc'],
};

export const depthwiseBackpropFilterWasmConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilterWasm as unknown as KernelConfig['kernelFunc'],
};
