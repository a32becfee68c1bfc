import * as tf from '@tensorflow/tfjs-core';
import { sumToShape } from './sum_to_shape';

/**
 * The four transpose cases as in tfjs, plus the sum over broadcast batch dimensions that
 * tfjs leaves out (a [3,4,5] times a [5,6] reaches the kernel as [3,4,5] x [1,5,6]).
 */
export const batchMatMulGradConfig: tf.GradConfig = {
  kernelName: tf.BatchMatMul,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved;
    const grad = dy as tf.Tensor;
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    const [gradA, gradB] = matMulGradients(a, b, grad, transposeA, transposeB);
    return {
      a: () => sumToShape(gradA(), a.shape),
      b: () => sumToShape(gradB(), b.shape),
    };
  },
};

type Lazy = () => tf.Tensor;

function matMulGradients(
  a: tf.Tensor,
  b: tf.Tensor,
  dy: tf.Tensor,
  transposeA: boolean,
  transposeB: boolean,
): [Lazy, Lazy] {
  if (!transposeA && !transposeB) {
    return [() => tf.matMul(dy, b, false, true), () => tf.matMul(a, dy, true, false)];
  }
  if (!transposeA && transposeB) {
    return [() => tf.matMul(dy, b, false, false), () => tf.matMul(dy, a, true, false)];
  }
  if (transposeA && !transposeB) {
    return [() => tf.matMul(b, dy, false, true), () => tf.matMul(a, dy, false, false)];
  }
  return [() => tf.matMul(b, dy, true, true), () => tf.matMul(dy, a, true, true)];
}
