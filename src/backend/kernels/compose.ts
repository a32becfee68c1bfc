/**
 * Builds a kernel out of a backend's own registered kernels. Each step's result lives on the
 * backend only (the engine never sees it), so every intermediate is freed here once the
 * composed kernel has its result, also when a step throws.
 */
import { getKernel, type KernelBackend, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

/** Runs one registered kernel of the backend on backend-level tensors. */
export type RunKernel = (
  kernelName: string,
  inputs: Record<string, TensorInfo> | TensorInfo[],
  attrs?: object,
) => TensorInfo;
/** Puts small float32 values (an index matrix, say) on the backend. */
export type MakeConstant = (shape: number[], values: Float32Array) => TensorInfo;

export function composeKernels(
  backendName: string,
  backend: KernelBackend,
  build: (run: RunKernel, constant: MakeConstant) => TensorInfo,
): TensorInfo {
  const made: TensorInfo[] = [];
  const constant: MakeConstant = (shape, values) => {
    const info: TensorInfo = { dataId: backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
    made.push(info);
    return info;
  };
  const run: RunKernel = (kernelName, inputs, attrs = {}) => {
    const kernel = getKernel(kernelName, backendName);
    if (kernel == null)
      throw new Error(`wgan-edge: kernel '${kernelName}' is not registered for backend '${backendName}'.`);
    const out = kernel.kernelFunc({ inputs: inputs as never, backend, attrs: attrs as NamedAttrMap });
    if (Array.isArray(out))
      throw new Error(`wgan-edge: kernel '${kernelName}' returned several tensors; one was expected.`);
    made.push(out);
    return out;
  };
  let result: TensorInfo | undefined;
  try {
    result = build(run, constant);
    return result;
  } finally {
    for (const info of made) {
      if (info !== result) backend.disposeData(info.dataId);
    }
  }
}
