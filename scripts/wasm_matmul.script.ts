/**
 * Times matMul with and without transposed operands, and the critic's gradients, on one
 * backend: shows the WASM BatchMatMul transpose slow path (see emulate_wasm_matmul_fix.ts).
 *   npx vitest run --config scripts/vitest.config.ts scripts/wasm_matmul.script.ts
 * Environment: BACKEND=wasm  FAST_MATMUL=1
 */
import { it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '../src/backend/gradients';
import { initBackend } from '../src/backend/init';
import { createCritic } from '../src/models';
import { archConfig } from '../src/models/config';
import { gradientPenalty } from '../src/losses/penalty';
import { emulateWasmMatMulFix } from './emulate_wasm_matmul_fix';

async function time(label: string, f: () => tf.Tensor | tf.Tensor[], reps = 3) {
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const out = tf.tidy(f);
    const outs = Array.isArray(out) ? out : [out];
    await Promise.all(outs.map((o) => o.data()));
    tf.dispose(outs);
    if (r === reps - 1) console.log(label, (performance.now() - t0).toFixed(1), 'ms');
  }
}

it('profile', async () => {
  await initBackend({ backend: (process.env.BACKEND ?? 'wasm') as 'wasm' });
  if (process.env.FAST_MATMUL === '1') emulateWasmMatMulFix();
  const a = tf.randomNormal([256, 512]);
  const w = tf.randomNormal([512, 512]);
  await time('matMul 256x512x512', () => tf.matMul(a, w));
  await time('matMul transB', () => tf.matMul(a, w, false, true));
  await time('matMul transA', () => tf.matMul(a, a, true, false));
  await time('transpose+matMul', () => tf.matMul(a, tf.transpose(w)));
  await time('transpose a + matMul', () => tf.matMul(tf.transpose(a), a));
  const c = createCritic(archConfig('mlp'), 1);
  const x = tf.randomNormal([256, 2]);
  const critic = (t: tf.Tensor) => c.apply(c.params, t);
  await time('critic fwd', () => critic(x));
  await time('critic input grad', () => tf.grad((t: tf.Tensor) => tf.sum(critic(t)))(x));
  await time('critic param grads', () => Object.values(tf.variableGrads(() => tf.mean(critic(x)) as tf.Scalar, Object.values(c.params)).grads));
  await time('penalty param grads', () => Object.values(tf.variableGrads(() => gradientPenalty(critic, x, x, 1), Object.values(c.params)).grads));
});
