import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/index';
import { composeKernels } from '../../src/backend/kernels/compose';

describe('composeKernels', () => {
  it('frees every intermediate, keeps the result, and frees them too when a step throws', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const before = backend.numDataIds();

    const info = composeKernels('wasm', backend, (run, constant) => {
      const transposed = run('Transpose', { x }, { perm: [1, 0] });
      const flat = run('Reshape', { x: transposed }, { shape: [6] });
      return run('Add', { a: flat, b: constant([6], new Float32Array([10, 10, 10, 10, 10, 10])) });
    });
    expect(backend.numDataIds()).toBe(before + 1);
    const result = tf.engine().makeTensorFromTensorInfo(info);
    expect(Array.from(await result.data())).toEqual([11, 14, 12, 15, 13, 16]);
    result.dispose();
    expect(backend.numDataIds()).toBe(before);

    expect(() =>
      composeKernels('wasm', backend, (run) => {
        run('Transpose', { x }, { perm: [1, 0] });
        return run('NoSuchKernel', { x });
      }),
    ).toThrow(/kernel 'NoSuchKernel' is not registered for backend 'wasm'/);
    expect(backend.numDataIds()).toBe(before);
    x.dispose();
  });
});
