/**
 * Cast for the WASM backend. tfjs 4.22's copies values into the output's typed array, which for
 * bool (a Uint8Array) wraps instead of testing for zero: cast(-1.2, 'bool') gave 255, 2 gave 2,
 * 256 gave 0. Casts to bool here are x != 0; the rest go to the built-in kernel.
 */
import {
  Cast,
  getKernel,
  type CastAttrs,
  type KernelBackend,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { composeKernels } from './compose';

type KernelArgs = { inputs: { x: TensorInfo }; backend: KernelBackend; attrs: CastAttrs };

const builtinConfig = getKernel(Cast, 'wasm');
if (builtinConfig == null) throw new Error('wgan-edge: @tensorflow/tfjs-backend-wasm registered no Cast kernel.');
const builtinCast = builtinConfig.kernelFunc as unknown as (args: KernelArgs) => TensorInfo;

export function castWasm(args: KernelArgs): TensorInfo {
  const {
    inputs: { x },
    backend,
    attrs,
  } = args;
  if (attrs.dtype !== 'bool' || x.dtype === 'bool') return builtinCast(args);
  return composeKernels('wasm', backend, (run, constant) => {
    const values = x.dtype === 'float32' ? x : run(Cast, { x }, { dtype: 'float32' });
    return run('NotEqual', { a: values, b: constant([], new Float32Array([0])) });
  });
}

export const castWasmConfig: KernelConfig = {
  kernelName: Cast,
  backendName: 'wasm',
  kernelFunc: castWasm as unknown as KernelConfig['kernelFunc'],
};
