/**
 * Conv2DBackpropFilter for the WASM backend, which tfjs 4.22 lacks (tfjs issue 8474), so no
 * conv net could train there.
 *
 * The filter gradient  dW[kh,kw,ci,co] = sum_{b,oh,ow} xpad[b, oh*s+kh, ow*s+kw, ci] * dy[b,oh,ow,co]
 * is itself a convolution, over the batch: x seen as Cin images [Cin, H, W, B] with B channels,
 * dy as an [OH, OW, B, Cout] filter dilated by the forward stride. So it runs on the backend's
 * XNNPACK Conv2D at full speed; only x, dy and the small result are transposed around it.
 * With few input channels, patches of x times dy in one matmul is faster (PATCH_GATHER_MAX_COST).
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
import { backpropConvInfo, type Shape4 } from './conv_info';

/** x [B,H,W,Cin] -> [Cin,H,W,B]; NCHW x [B,Cin,H,W] -> the same. */
const IMAGES_PERM = { channelsLast: [3, 1, 2, 0], channelsFirst: [1, 2, 3, 0] };
/** dy [B,OH,OW,Cout] -> [OH,OW,B,Cout]; NCHW dy [B,Cout,OH,OW] -> the same. */
const DY_FILTER_PERM = { channelsLast: [1, 2, 0, 3], channelsFirst: [2, 3, 0, 1] };
/** The conv's result [Cin,KH,KW,Cout] -> the filter layout [KH,KW,Cin,Cout]. */
const FILTER_PERM = [1, 2, 0, 3];

/**
 * With few input channels (a critic's first conv) the conv over the batch has only
 * KH*KW*Cin output pixels to share its work, and runs at a third of Conv2D's speed. Then the
 * patches of x are gathered by a conv with a 0/1 filter (KH*KW*Cin output channels) and
 * multiplied by dy in one matmul, as long as that gather costs at most this share of the
 * gradient's own multiply-adds (KH*KW*Cin / Cout).
 */
const PATCH_GATHER_MAX_COST = 0.5;

export function conv2DBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: KernelBackend;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const {
    inputs: { x, dy },
    backend,
    attrs,
  } = args;
  if (x.shape.length !== 4) throw new Error(`Conv2DBackpropFilter (wasm): x must be rank 4, got [${x.shape}].`);
  const info = backpropConvInfo('Conv2DBackpropFilter', x.shape as Shape4, attrs.filterShape, attrs, dy);
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  if (info.dataFormat === 'channelsLast' && patchSize <= PATCH_GATHER_MAX_COST * info.outChannels) {
    return patchesTimesDy(x, dy, backend, info);
  }
  return convOverBatch(x, dy, backend, info);
}

/** dW [KH*KW*Cin, Cout] = patches(x)^T [KH*KW*Cin, B*OH*OW] @ dy [B*OH*OW, Cout]. */
function patchesTimesDy(
  x: TensorInfo,
  dy: TensorInfo,
  backend: KernelBackend,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { filterHeight, filterWidth, inChannels, outChannels } = info;
  const patchSize = filterHeight * filterWidth * inChannels;
  // Patch channel (kh*KW + kw)*Cin + ci takes x's channel ci at tap (kh, kw): an identity matrix.
  const identity = new Float32Array(patchSize * patchSize);
  for (let i = 0; i < patchSize; i++) identity[i * patchSize + i] = 1;
  return composeKernels('wasm', backend, (run, constant) => {
    const gather = constant([filterHeight, filterWidth, inChannels, patchSize], identity);
    const patches = run(
      'Conv2D',
      { x, filter: gather },
      {
        strides: [info.strideHeight, info.strideWidth],
        dilations: 1,
        pad: readPadding(info),
        dataFormat: 'NHWC',
      },
    );
    const rows = info.batchSize * info.outHeight * info.outWidth;
    const grad = run(
      'BatchMatMul',
      {
        a: run('Reshape', { x: patches }, { shape: [rows, patchSize] }),
        b: run('Reshape', { x: dy }, { shape: [rows, outChannels] }),
      },
      { transposeA: true, transposeB: false },
    );
    return run('Reshape', { x: grad }, { shape: [filterHeight, filterWidth, inChannels, outChannels] });
  });
}

function convOverBatch(
  x: TensorInfo,
  dy: TensorInfo,
  backend: KernelBackend,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;

  return composeKernels('wasm', backend, (run) => {
    const images = run('Transpose', { x }, { perm: IMAGES_PERM[info.dataFormat] });
    const dyFilter = run('Transpose', { x: dy }, { perm: DY_FILTER_PERM[info.dataFormat] });
    const grad = run(
      'Conv2D',
      { x: images, filter: dyFilter },
      {
        strides: 1,
        dilations: [strideHeight, strideWidth],
        pad: readPadding(info),
        dataFormat: 'NHWC',
      },
    );
    const exact = grad.shape[1] === filterHeight && grad.shape[2] === filterWidth;
    const cropped = exact
      ? grad
      : run('Slice', { x: grad }, { begin: [0, 0, 0, 0], size: [-1, filterHeight, filterWidth, -1] });
    return run('Transpose', { x: cropped }, { perm: FILTER_PERM });
  });
}

/**
 * Explicit padding with only the zero rows/columns that outputs read: the forward conv's extra
 * bottom/right padding is left out, and rows it needs past x with 'ceil' rounding are added.
 * (The backend's Conv2D sizes its output as floor((H + pads - K) / s) + 1 whatever the rounding
 * mode, and leaves a 'ceil' output's last row unwritten.) Unread x rows add nothing.
 */
function readPadding({
  outHeight,
  outWidth,
  strideHeight,
  strideWidth,
  filterHeight,
  filterWidth,
  inHeight,
  inWidth,
  padInfo,
}: backend_util.Conv2DInfo): backend_util.ExplicitPadding {
  const padBottom = Math.max(0, (outHeight - 1) * strideHeight + filterHeight - inHeight - padInfo.top);
  const padRight = Math.max(0, (outWidth - 1) * strideWidth + filterWidth - inWidth - padInfo.left);
  return [
    [0, 0],
    [padInfo.top, padBottom],
    [padInfo.left, padRight],
    [0, 0],
  ];
}

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm as unknown as KernelConfig['kernelFunc'],
};
