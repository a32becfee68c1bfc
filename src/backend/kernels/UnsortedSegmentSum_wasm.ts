/**
 * UnsortedSegmentSum for the WASM backend, which tfjs 4.22 lacks: gather's gradient (and so
 * maxPool's) runs on it. A plain loop over the heap, as the cpu backend's: one add per input
 * element, where a one-hot matMul would cost inputs x segments.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  UnsortedSegmentSum,
  type KernelConfig,
  type TensorInfo,
  type UnsortedSegmentSumAttrs,
} from '@tensorflow/tfjs-core';

export function unsortedSegmentSumWasm(args: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: BackendWasm;
  attrs: UnsortedSegmentSumAttrs;
}): TensorInfo {
  const {
    inputs: { x, segmentIds },
    backend,
    attrs: { numSegments },
  } = args;
  const idsRank = segmentIds.shape.length;
  if (segmentIds.shape.some((size, axis) => size !== x.shape[axis])) {
    throw new Error(
      `UnsortedSegmentSum (wasm): segmentIds [${segmentIds.shape}] must be a prefix of x's shape [${x.shape}].`,
    );
  }
  const out = backend.makeOutput([numSegments, ...x.shape.slice(idsRank)], x.dtype);
  // Views after makeOutput: allocating may grow the heap and detach earlier views.
  const values = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  const sums = backend.typedArrayFromHeap(out);
  const inner = ids.length === 0 ? 0 : values.length / ids.length;
  sums.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i];
    if (segment < 0 || segment >= numSegments) continue;
    for (let j = 0; j < inner; j++) sums[segment * inner + j] += values[i * inner + j];
  }
  return out;
}

export const unsortedSegmentSumWasmConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSumWasm as unknown as KernelConfig['kernelFunc'],
};
