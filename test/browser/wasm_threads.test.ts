// WASM threads above tfjs' cap (hardwareConcurrency / 2) in a cross-origin isolated page and in
// the runtime worker. A file of its own: the WASM backend starts once per page, here with 2
// threads. The CI machine has 2 cores, where tfjs alone would give 1 thread.
import { afterEach, describe, expect, it } from 'vitest';
import { switchWasmThreads } from '../../src/backend/node_threads';
import { initBackend } from '../../src/index';
import { createRuntime, type Runtime } from '../../src/runtime/client';
import { convNetGradients, maxAbsDiff } from '../helpers/conv_net';
import { WASM_FILES } from './wasm_files';
import { startWorker } from './worker_url';

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
