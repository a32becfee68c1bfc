// A file of its own: the WASM backend starts once per process, here threaded.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { switchWasmThreads } from '../../src/backend/node_threads';
import { initBackend } from '../../src/index';
import { convNetGradients, maxAbsDiff } from '../helpers/conv_net';

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
      execFile('node', ['-e', script], { timeout: 60_000 }, (err, out) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout: out }),
      );
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ backend: 'wasm', threads: 2 });
  });
});
