// WASM threads above tfjs' cap (hardwareConcurrency / 2) in a cross-origin isolated page and in
// the runtime worker. A file of its own: the WASM backend starts once per page, here with 2
// threads. The CI machine has 2 cores, where tfjs alone would give 1 thread.
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/index';
import { switchWasmThreads } from '../../src/backend/node_threads';
import { createRuntime, type Runtime } from '../../src/runtime/client';
import { WASM_FILES } from './wasm_files';
import { startWorker } from './worker_url';

/**
 * A small DCGAN-shaped net, forward + backward (as in test/backend/node_threads.test.ts): two
 * 5x5 stride-2 convs down, one transposed conv back up.
 */
function convNetGradients(seed: number): { loss: number; grads: Float32Array[] } {
  const w1 = tf.variable(tf.randomNormal([5, 5, 1, 16], 0, 0.2, 'float32', seed));
  const w2 = tf.variable(tf.randomNormal([5, 5, 16, 32], 0, 0.05, 'float32', seed + 1));
  const w3 = tf.variable(tf.randomNormal([5, 5, 16, 32], 0, 0.05, 'float32', seed + 2));
  const x = tf.randomNormal([8, 28, 28, 1], 0, 1, 'float32', seed + 3);
  const { value, grads } = tf.variableGrads(() => {
    const h1 = tf.leakyRelu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 2, 'same'), 0.2);
    const h2 = tf.leakyRelu(tf.conv2d(h1, w2 as tf.Tensor4D, 2, 'same'), 0.2);
    const up = tf.conv2dTranspose(h2, w3 as tf.Tensor4D, [8, 14, 14, 16], 2, 'same');
    return tf.mean(tf.square(tf.sub(up, h1)));
  }, [w1, w2, w3]);
  const out = { loss: value.dataSync()[0], grads: [w1, w2, w3].map((w) => grads[w.name].dataSync() as Float32Array) };
  tf.dispose([w1, w2, w3, x, value, ...Object.values(grads)]);
  return out;
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let max = 0;
  a.forEach((x, i) => x.forEach((v, j) => (max = Math.max(max, Math.abs(v - b[i][j])))));
  return max;
}

let runtime: Runtime | null = null;
afterEach(() => {
  runtime?.dispose();
  runtime = null;
});

describe('WASM threads above hardwareConcurrency / 2', () => {
  it('the page: threads: 2 gives a pool of 2, hardwareConcurrency is restored, and 2 threads compute what 1 does', async () => {
    expect(crossOriginIsolated).toBe(true);
    const cores = navigator.hardwareConcurrency;
    const report = await initBackend({ backend: 'wasm', threads: 2, wasmPaths: WASM_FILES });
    expect(report.backend).toBe('wasm');
    expect(report.simd).toBe(true);
    // getThreadsCount(): the pool the C++ side made, not the number asked for.
    expect(report.threads).toBe(2);
    expect(report.reason).toMatch(/SIMD, 2 threads$/);
    // The shadow is gone: the real getter answers again.
    expect(navigator.hardwareConcurrency).toBe(cores);
    expect(Object.getOwnPropertyDescriptor(navigator, 'hardwareConcurrency')).toBeUndefined();

    const two = convNetGradients(7);
    // A new pool of 1 thread on the same backend (1 is under the cap: no shadow needed).
    expect(switchWasmThreads(1)).toBe(1);
    const one = convNetGradients(7);
    expect(Math.abs(two.loss - one.loss)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(two.grads, one.grads)).toBeLessThanOrEqual(1e-5);
    expect(Math.max(...one.grads.map((g) => Math.max(...g.map(Math.abs))))).toBeGreaterThan(1e-3);
  });

  it('the runtime worker: createRuntime({ threads: 2 }) reports 2 threads', async () => {
    runtime = await createRuntime({ worker: startWorker(), backend: 'wasm', threads: 2, wasmPaths: WASM_FILES });
    const info = await runtime.info();
    expect(info.scope).toBe('dedicated-worker');
    expect(info.crossOriginIsolated).toBe(true);
    expect(info.threads).toBe(2);
  });
});
