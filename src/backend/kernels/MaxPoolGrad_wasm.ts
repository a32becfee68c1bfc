/**
 * MaxPoolGrad for the WASM backend. tfjs 4.22's C++ kernel sends some windows' gradient to the
 * wrong pixel even with 'valid' padding (3 of 96 values differ from the cpu backend's on a
 * [2, 4, 4, 3] input, 2x2 windows, stride 2). Here dy is summed at each window's argmax:
 * MaxPoolWithArgmax, then UnsortedSegmentSum.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { MaxPoolGrad, type KernelConfig, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { composeKernels } from './compose';
import { maxPoolWithArgmaxWasm } from './MaxPoolWithArgmax_wasm';

export function maxPoolGradWasm(args: {
  inputs: { dy: TensorInfo; input: TensorInfo };
  backend: BackendWasm;
  attrs: MaxPoolGradAttrs;
}): TensorInfo {
  const {
    inputs: { dy, input },
    backend,
    attrs: { filterSize, strides, pad },
  } = args;
  const [pooled, indexes] = maxPoolWithArgmaxWasm({
    inputs: { x: input },
    backend,
    attrs: { filterSize, strides, pad: pad as 'valid' | 'same', includeBatchInIndex: true },
  });
  backend.disposeData(pooled.dataId);
  try {
    const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
    return composeKernels('wasm', backend, (run) => {
      const sums = run(
        'UnsortedSegmentSum',
        {
          x: run('Reshape', { x: dy }, { shape: [size(dy.shape)] }),
          segmentIds: run('Reshape', { x: indexes }, { shape: [size(indexes.shape)] }),
        },
        { numSegments: size(input.shape) },
      );
      return run('Reshape', { x: sums }, { shape: input.shape });
    });
  } finally {
    backend.disposeData(indexes.dataId);
  }
}

export const maxPoolGradWasmConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGradWasm as unknown as KernelConfig['kernelFunc'],
};
