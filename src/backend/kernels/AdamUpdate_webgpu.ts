/**
 * The Adam update (src/backend/adam_update.ts) on WebGPU in 3 dispatches: the two moments, then
 * the parameter. Composed from tfjs ops it takes 12 dispatches and 6 scalar uploads per
 * parameter, and a WebGPU training step is mostly dispatch overhead: an NVIDIA H200 spent
 * 355 ms on the mnist recipe's ~1900 dispatches, a third of them the optimizer's, and 234 ms
 * with this kernel.
 */
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { ADAM_UPDATE, type AdamUpdateAttrs } from '../adam_update';

const WORKGROUP_SIZE: [number, number, number] = [64, 1, 1];

/** Fields every elementwise program over a flat index has (tfjs's own unary programs alike). */
function flatProgram(shape: number[]) {
  const dispatchLayout = webgpu_util.flatDispatchLayout(shape);
  return {
    outputShape: shape,
    dispatchLayout,
    dispatch: webgpu_util.computeDispatch(dispatchLayout, shape, WORKGROUP_SIZE),
    workgroupSize: WORKGROUP_SIZE,
    size: true,
  };
}

/** decay x + rest g (or g^2): one of Adam's moments. `fn main(index : i32)` is tfjs's entry point. */
function momentProgram(shape: number[], squared: boolean): WebGPUProgram {
  return {
    ...flatProgram(shape),
    variableNames: ['moment', 'gradient'],
    uniforms: 'decay : f32, rest : f32,',
    shaderKey: `wganEdgeAdamMoment_${squared}`,
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let g = getGradientByOutputIndex(index);
          setOutputAtIndex(index, getMomentByOutputIndex(index) * uniforms.decay + ${squared ? '(g * g)' : 'g'} * uniforms.rest);
        }
      }`,
  };
}

/** p - step m / (sqrt(v) + epsilon), from the new moments. */
function paramProgram(shape: number[]): WebGPUProgram {
  return {
    ...flatProgram(shape),
    variableNames: ['param', 'firstMoment', 'secondMoment'],
    uniforms: 'step : f32, epsilon : f32,',
    shaderKey: 'wganEdgeAdamParam',
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let m = getFirstMomentByOutputIndex(index);
          let v = getSecondMomentByOutputIndex(index);
          setOutputAtIndex(index, getParamByOutputIndex(index) - m / (sqrt(v) + uniforms.epsilon) * uniforms.step);
        }
      }`,
  };
}

const f32 = (value: number) => ({ type: 'float32', data: [value] });

function adamUpdateWebgpu({
  inputs,
  backend,
  attrs,
}: {
  inputs: Record<'p' | 'm' | 'v' | 'g', TensorInfo>;
  backend: WebGPUBackend;
  attrs: AdamUpdateAttrs;
}): TensorInfo[] {
  const { p, m, v, g } = inputs;
  const { beta1, beta2, step, epsilon } = attrs;
  const m1 = backend.runWebGPUProgram(momentProgram(p.shape, false), [m, g], 'float32', [f32(beta1), f32(1 - beta1)]);
  const v1 = backend.runWebGPUProgram(momentProgram(p.shape, true), [v, g], 'float32', [f32(beta2), f32(1 - beta2)]);
  const p1 = backend.runWebGPUProgram(paramProgram(p.shape), [p, m1, v1], 'float32', [f32(step), f32(epsilon)]);
  return [p1, m1, v1];
}

export const adamUpdateWebgpuConfig: KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'webgpu',
  kernelFunc: adamUpdateWebgpu as unknown as KernelFunc,
};
