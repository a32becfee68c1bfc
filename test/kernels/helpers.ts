/** Shared by the kernel tests: seeded data and a backend-vs-backend comparison. */
import * as tf from '@tensorflow/tfjs-core';

/** Deterministic uniform values in [-1, 1) (mulberry32), so a failure can be replayed. */
export function seededValues(count: number, seed: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return values;
}

export interface KernelCall {
  kernelName: string;
  /** Input name -> [shape, seed]. */
  inputs: Record<string, [number[], number]>;
  attrs: object;
}

/**
 * Runs one kernel on a backend with seeded inputs and returns its result, and checks that the
 * call leaves no tensor and no backend data behind once its inputs and result are disposed (a
 * kernel may keep data derived from an input while that input lives: see Conv2DBackpropInput_wasm).
 */
export async function runKernelOn(
  backendName: string,
  call: KernelCall,
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backendName);
  const backend = tf.backend();
  const tensorsBefore = tf.memory().numTensors;
  const dataBefore = backend.numDataIds();
  const inputs: Record<string, tf.Tensor> = {};
  for (const [name, [shape, seed]] of Object.entries(call.inputs)) {
    inputs[name] = tf.tensor(
      seededValues(
        shape.reduce((a, b) => a * b, 1),
        seed,
      ),
      shape,
    );
  }
  const out = tf.engine().runKernel(call.kernelName, inputs as never, call.attrs as never) as tf.Tensor;
  const values = (await out.data()) as Float32Array;
  const shape = out.shape;
  out.dispose();
  Object.values(inputs).forEach((t) => t.dispose());
  const leaks = { tensors: tf.memory().numTensors - tensorsBefore, dataIds: backend.numDataIds() - dataBefore };
  if (leaks.tensors !== 0 || leaks.dataIds !== 0) {
    throw new Error(
      `${call.kernelName} on ${backendName} leaked ${leaks.tensors} tensors and ${leaks.dataIds} data ids`,
    );
  }
  return { shape, values };
}

/** max |actual - expected| / max |expected|: a relative error that near-zero entries cannot blow up. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  return maxRef === 0 ? maxDiff : maxDiff / maxRef;
}
