/**
 * AddN for the WebGPU backend, in programs small enough for the device to bind.
 *
 * tfjs-backend-webgpu 4.22 sums all N inputs in one shader with N + 1 storage buffers, and its
 * device has WebGPU's default limit of 8 per shader stage (tfjs does not ask for more). With 8
 * or more inputs the pipeline is invalid, nothing throws, and the result is garbage: on an
 * NVIDIA H200 (through Dawn) the trainer's gradient norm over the mnist critic's 8 weights came
 * out non-finite at the first step. This sums the inputs in chunks that fit the device's limit.
 */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  AddN,
  getKernel,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

const builtinConfig = getKernel(AddN, 'webgpu');
if (builtinConfig == null) {
  throw new Error(
    'wgan-edge: tfjs-backend-webgpu must be imported before the AddN override: it wraps the built-in kernel.',
  );
}
const builtinAddN = builtinConfig.kernelFunc as unknown as KernelFunc;

export function addNWebgpu({ inputs, backend }: { inputs: TensorInfo[]; backend: KernelBackend }): TensorInfo {
  // One storage buffer is the output's. WebGPU guarantees at least 8, so a program takes 7 or more.
  const perProgram = (backend as WebGPUBackend).device.limits.maxStorageBuffersPerShaderStage - 1;
  const sumOf = (tensors: TensorInfo[]) => builtinAddN({ inputs: tensors as never, backend, attrs: {} }) as TensorInfo;
  let sum = sumOf(inputs.slice(0, perProgram));
  for (let start = perProgram; start < inputs.length; start += perProgram - 1) {
    const partial = sum;
    try {
      sum = sumOf([partial, ...inputs.slice(start, start + perProgram - 1)]);
    } finally {
      backend.disposeData(partial.dataId);
    }
  }
  return sum;
}

export const addNWebgpuConfig: KernelConfig = {
  kernelName: AddN,
  backendName: 'webgpu',
  kernelFunc: addNWebgpu as unknown as KernelFunc,
};
