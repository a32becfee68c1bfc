// A file of its own: the WASM backend starts once per process, here threaded.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/index';
import { switchWasmThreads } from '../../src/backend/node_threads';

/** A small DCGAN-shaped net: two 5x5 stride-2 convs down, one transposed conv back up. */
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

describe('WASM threads in Node', () => {
  it('2 threads start, and a conv net forward + backward equals the 1-thread result', async () => {
    const report = await initBackend({ backend: 'wasm', threads: 2 });
    expect(report.backend).toBe('wasm');
    expect(report.threads).toBe(2);
    expect(report.reason).toMatch(/SIMD, 2 threads$/);

    const two = convNetGradients(7);
    expect(switchWasmThreads(1)).toBe(1);
    const one = convNetGradients(7);
    expect(switchWasmThreads(2)).toBe(2);
    expect(Math.abs(two.loss - one.loss)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(two.grads, one.grads)).toBeLessThanOrEqual(1e-5);
    expect(Math.max(...one.grads.map((g) => Math.max(...g.map(Math.abs))))).toBeGreaterThan(1e-3);
  });

  it('a Node process with 2 WASM threads exits by itself (the built library, dist/index.node.cjs)', async () => {
    const lib = join(__dirname, '../../dist/index.node.cjs');
    const script = `require(${JSON.stringify(lib)}).initBackend({ backend: 'wasm', threads: 2 }).then((r) => console.log(JSON.stringify(r)))`;
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile('node', ['-e', script], { timeout: 60_000 }, (err, out) => resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout: out }));
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ backend: 'wasm', threads: 2 });
  });
});
