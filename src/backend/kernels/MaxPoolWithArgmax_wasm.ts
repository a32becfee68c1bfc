/**
 * MaxPoolWithArgmax for the WASM backend. tfjs 4.22's C++ kernel starts each window's maximum
 * at 0 instead of at its first pixel, so a window of negative values next to 'same' padding
 * reports a padding position (and the value 0): maxPool's gradient, which reads these indices,
 * then lost those pixels' share. A plain loop over the heap, as the cpu backend's.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  MaxPoolWithArgmax,
  type KernelConfig,
  type MaxPoolWithArgmaxAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

export function maxPoolWithArgmaxWasm(args: {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: MaxPoolWithArgmaxAttrs;
}): TensorInfo[] {
  const {
    inputs: { x },
    backend,
    attrs: { filterSize, strides, pad, includeBatchInIndex },
  } = args;
  if (x.shape.length !== 4) throw new Error(`MaxPoolWithArgmax (wasm): x must be rank 4, got [${x.shape}].`);
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    filterSize,
    strides,
    [1, 1],
    pad,
  );
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    filterHeight,
    filterWidth,
    padInfo,
  } = info;
  const pooled = backend.makeOutput(info.outShape, x.dtype);
  const indexes = backend.makeOutput(info.outShape, 'int32');
  // Views after makeOutput: allocating may grow the heap and detach earlier views.
  const values = backend.typedArrayFromHeap(x);
  const maxima = backend.typedArrayFromHeap(pooled);
  const positions = backend.typedArrayFromHeap(indexes);
  let out = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * strideHeight - padInfo.top;
      for (let ow = 0; ow < outWidth; ow++) {
        const left = ow * strideWidth - padInfo.left;
        for (let c = 0; c < inChannels; c++, out++) {
          let best = -Infinity;
          let bestAt = -1;
          for (let h = Math.max(0, top); h < Math.min(inHeight, top + filterHeight); h++) {
            for (let w = Math.max(0, left); w < Math.min(inWidth, left + filterWidth); w++) {
              const at = ((b * inHeight + h) * inWidth + w) * inChannels + c;
              if (values[at] > best || bestAt < 0) {
                best = values[at];
                bestAt = at;
              }
            }
          }
          maxima[out] = best;
          positions[out] = includeBatchInIndex ? bestAt : bestAt - b * inHeight * inWidth * inChannels;
        }
      }
    }
  }
  return [pooled, indexes];
}

export const maxPoolWithArgmaxWasmConfig: KernelConfig = {
  kernelName: MaxPoolWithArgmax,
  backendName: 'wasm',
  kernelFunc: maxPoolWithArgmaxWasm as unknown as KernelConfig['kernelFunc'],
};
