/**
 * For measurements only: re-registers WASM BatchMatMul so that transposed operands are
 * transposed explicitly and the kernel runs untransposed. tfjs-backend-wasm 4.22 takes a
 * slow path for transposeA/transposeB (10-25x slower here), and every matMul gradient uses
 * them. This shows what the fix proposed for src/backend/kernels would give; the library
 * does not ship it from here.
 */
import * as tf from '@tensorflow/tfjs-core';

export function emulateWasmMatMulFix(): void {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (original == null || transpose == null) throw new Error('WASM BatchMatMul/Transpose kernels are not registered');
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const made: tf.TensorInfo[] = [];
      const upright = (t: tf.TensorInfo, flip: boolean) => {
        if (!flip) return t;
        const rank = t.shape.length;
        const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
        const out = transpose.kernelFunc({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
        made.push(out);
        return out;
      };
      const a = upright(inputs.a as tf.TensorInfo, transposeA);
      const b = upright(inputs.b as tf.TensorInfo, transposeB);
      try {
        return original.kernelFunc({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      } finally {
        for (const t of made) (backend as tf.KernelBackend).disposeData(t.dataId);
      }
    },
  });
}
