/**
 * BatchMatMul for the WASM backend with transposed operands made upright first.
 *
 * tfjs-backend-wasm 4.22 runs transposeA/transposeB through a slow path (10-25x slower than
 * the XNNPACK one here), and every matMul gradient asks for a transposed operand
 * (dA = dy B^T, dB = A^T dy), so dense-layer training spent nearly all its time there. A
 * Transpose kernel call is cheap next to the product it unlocks.
 */
import {
  BatchMatMul,
  getKernel,
  type BatchMatMulAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { composeKernels } from './compose';

const builtinConfig = getKernel(BatchMatMul, 'wasm');
if (builtinConfig == null) {
  throw new Error(
    'wgan-edge: tfjs-backend-wasm must be imported before the BatchMatMul override: it wraps the built-in kernel.',
  );
}
const builtinBatchMatMul = builtinConfig.kernelFunc as unknown as KernelFunc;

/** Swaps the last two axes. */
function lastTwoSwapped(rank: number): number[] {
  return [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
}

export function batchMatMulWasm(args: {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: KernelBackend;
  attrs: BatchMatMulAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  if (!attrs.transposeA && !attrs.transposeB) return builtinBatchMatMul(args as never) as TensorInfo;
  return composeKernels('wasm', backend, (run) => {
    const upright = (t: TensorInfo, transposed: boolean) =>
      transposed ? run('Transpose', { x: t }, { perm: lastTwoSwapped(t.shape.length) }) : t;
    const a = upright(inputs.a, attrs.transposeA);
    const b = upright(inputs.b, attrs.transposeB);
    return builtinBatchMatMul({
      inputs: { a, b },
      backend,
      attrs: { transposeA: false, transposeB: false },
    } as never) as TensorInfo;
  });
}

export const batchMatMulWasmConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  // The built-in kernel's setup (its WASM function binding) still has to run.
  setupFunc: builtinConfig.setupFunc,
  kernelFunc: batchMatMulWasm as unknown as KernelFunc,
};
