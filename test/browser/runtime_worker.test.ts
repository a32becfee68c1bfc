// The runtime worker's start, backend report and error transfer.
import { afterEach, describe, expect, it } from 'vitest';
import { BackendError } from '../../src/backend/init';
import { createRuntime, type Runtime } from '../../src/runtime/client';
import { registerErrorClass, RuntimeError } from '../../src/runtime/errors';
import { WASM_FILES } from './wasm_files';
import { startWorker, workerUrl } from './worker_url';

registerErrorClass(BackendError);

let runtime: Runtime | null = null;
afterEach(() => {
  runtime?.dispose();
  runtime = null;
});

describe('initBackend in the runtime worker', () => {
  it('auto: WASM with SIMD in a cross-origin isolated worker, SwiftShader passed over with its reason', async () => {
    runtime = await createRuntime({ worker: startWorker(), wasmPaths: WASM_FILES });
    const info = await runtime.info();
    expect(info.scope).toBe('dedicated-worker');
    expect(info.backend).toBe('wasm');
    expect(info.simd).toBe(true);
    expect(info.crossOriginIsolated).toBe(true);
    // A dedicated worker takes every core by default (tfjs alone would take hardwareConcurrency / 2).
    expect(info.threads).toBe(Math.min(8, navigator.hardwareConcurrency));
    if (info.threads > 1)
      expect(info.reason).toMatch(
        /, \d+ threads; every core by default in a dedicated worker, whose page's thread is free$/,
      );
    expect(info.passedOver.map((p) => p.backend)).toEqual(['webgpu']);
    expect(info.passedOver[0].reason).toMatch(/software fallback, slower than WASM/);
    expect(info.adapter?.architecture).toBe('swiftshader');
  });

  it('webgpu forced: runs on the software adapter', async () => {
    runtime = await createRuntime({ worker: startWorker(), backend: 'webgpu' });
    const info = await runtime.info();
    expect(info.backend).toBe('webgpu');
    expect(info.reason).toMatch(/software WebGPU adapter/);
    expect(info.adapter?.isFallbackAdapter).toBe(true);
  });

  it('cpu forced, the worker given as a script URL', async () => {
    runtime = await createRuntime({ worker: workerUrl(), backend: 'cpu' });
    expect((await runtime.info()).backend).toBe('cpu');
  });
});

describe('errors across the boundary', () => {
  it('a BackendError keeps its class, code and message', async () => {
    const err = await createRuntime({ worker: startWorker(), backend: 'cuda' as never }).catch((e) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err.name).toBe('BackendError');
    expect(err.code).toBe('unknown-backend');
    expect(err.message).toMatch(/'cuda'.*auto, webgpu, wasm, cpu/);
  });

  it('forced wasm with missing .wasm files: wasm-unavailable, naming where it looked', async () => {
    const err = await createRuntime({ worker: startWorker(), backend: 'wasm', wasmPaths: '/no/such/folder/' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(BackendError);
    expect(err.code).toBe('wasm-unavailable');
    expect(err.message).toContain('/no/such/folder/');
  });

  it('auto with the .wasm files missing: CPU, with one console.warn in the page naming why and the fix', async () => {
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      runtime = await createRuntime({ worker: startWorker(), wasmPaths: '/no/such/folder/' });
    } finally {
      console.warn = warn;
    }
    const info = await runtime.info();
    expect(info.backend).toBe('cpu');
    expect(info.warning).toMatch(
      /^wgan-edge fell back to the CPU backend, 10-40x slower than WASM: WASM did not start \(.+\)\. Serve tfjs-backend-wasm\.wasm/,
    );
    expect(info.warning).toContain('wasmPaths');
    expect(warnings).toEqual([[info.warning]]);
  });

  it('auto on WASM: no warning', async () => {
    runtime = await createRuntime({ worker: startWorker(), wasmPaths: WASM_FILES });
    expect((await runtime.info()).warning).toBeUndefined();
  });

  it('a worker script that cannot load rejects with worker-start-failed instead of hanging', async () => {
    const err = await createRuntime({ worker: '/no/such/worker.js' }).catch((e) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err.code).toBe('worker-start-failed');
    expect(err.message).toContain('/no/such/worker.js');
  });
});
