// Threads that cannot start leave a runtime on one WASM thread, with the reason, never a dead
// runtime: the worker's pthread scripts all throw (fixtures/failing_threads.worker.ts).
import { afterEach, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/runtime/client';
import { POINTS_MODEL_URL } from './toy_models';
import { WASM_FILES } from './wasm_files';

let runtime: Runtime | null = null;
afterEach(() => runtime?.dispose());

it('2 threads asked for, threads failing: WASM on 1 thread, the failure in the reason, and it samples', async () => {
  expect(crossOriginIsolated).toBe(true);
  const worker = new Worker(new URL('./fixtures/failing_threads.worker.ts', import.meta.url), { type: 'module' });
  runtime = await createRuntime({ worker, threads: 2, wasmPaths: WASM_FILES });
  const info = await runtime.info();
  expect([info.backend, info.threads]).toEqual(['wasm', 1]);
  expect(info.reason).toMatch(
    /^WebAssembly with SIMD, 1 thread; 2 threads were asked for, but the threaded build did not start \(a WASM thread failed: .*e is not defined/,
  );
  await runtime.load({ url: POINTS_MODEL_URL });
  // The late threads' errors (and emscripten's rethrows of them) come and go without killing it.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const result = await runtime.sample({ n: 8, seed: 3 });
  if (result.format !== 'float32') throw new Error(`expected float32, got ${result.format}`);
  expect(result.shape).toEqual([8, 2]);
  expect(result.values.every(Number.isFinite)).toBe(true);
});
