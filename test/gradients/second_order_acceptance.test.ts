/**
 * The acceptance check: d/dw (d/dx tanh(w x))^2 at w = 1.3, x = 0.7 is -0.187
 * (tfjs 4.22 alone gives 0.599), and the same for sigmoid, against closed forms.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/index';

const W = 1.3;
const X = 0.7;

/** d/dw of (d/dx act(w x))^2, by double backprop. */
async function secondOrder(activation: (t: tf.Tensor) => tf.Tensor): Promise<number> {
  const w = tf.scalar(W);
  const x = tf.scalar(X);
  const dfdw = tf.grad((wv: tf.Tensor) => tf.square(tf.grad((xv: tf.Tensor) => activation(tf.mul(wv, xv)))(x)))(w);
  const [value] = await dfdw.data();
  tf.dispose([w, x, dfdw]);
  return value;
}

// With u = w x and a = act(u): (d/dx a)^2 = w^2 a'(u)^2, so
// d/dw = 2 w a'^2 + 2 w^2 a' a'' x = 2 w a'(u) (a'(u) + w x a''(u)).
function closedForm(derivative: (u: number) => number, secondDerivative: (u: number) => number): number {
  const u = W * X;
  return 2 * W * derivative(u) * (derivative(u) + W * X * secondDerivative(u));
}

// tanh' = 1 - t^2, tanh'' = -2 t (1 - t^2).
const TANH_EXPECTED = closedForm(
  (u) => 1 - Math.tanh(u) ** 2,
  (u) => -2 * Math.tanh(u) * (1 - Math.tanh(u) ** 2),
);
// sigmoid' = s (1 - s), sigmoid'' = s (1 - s) (1 - 2 s).
const sigma = (u: number) => 1 / (1 + Math.exp(-u));
const SIGMOID_EXPECTED = closedForm(
  (u) => sigma(u) * (1 - sigma(u)),
  (u) => sigma(u) * (1 - sigma(u)) * (1 - 2 * sigma(u)),
);

describe.each(['cpu', 'wasm'] as const)('second order through saved outputs on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('d/dw (d/dx tanh(w x))^2 at w = 1.3, x = 0.7 is -0.187', async () => {
    expect(TANH_EXPECTED).toBeCloseTo(-0.18715, 4);
    const value = await secondOrder(tf.tanh);
    expect(Math.abs(value - -0.187)).toBeLessThan(1e-3);
    expect(Math.abs(value - TANH_EXPECTED)).toBeLessThan(1e-5);
  });

  it('d/dw (d/dx sigmoid(w x))^2 matches its closed form', async () => {
    const value = await secondOrder(tf.sigmoid);
    expect(Math.abs(value - SIGMOID_EXPECTED)).toBeLessThan(1e-5);
  });
});
