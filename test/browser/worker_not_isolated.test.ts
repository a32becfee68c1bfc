// The runtime worker on a page that is not cross-origin isolated (no SharedArrayBuffer, so no
// WASM threads): every other browser test page is served with COOP/COEP, this one's worker
// runs in a second tab served without them (notIsolatedWorkerReport in vitest.config.ts).
import { describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';

describe('initBackend in a worker that is not cross-origin isolated', () => {
  it('auto: single-threaded WASM with SIMD, and says it is not isolated', async () => {
    const report = await commands.notIsolatedWorkerReport();
    if ('error' in report) throw new Error(`the runtime worker did not start: ${report.error}`);
    expect(report.pageCrossOriginIsolated).toBe(false);
    const worker = report.worker;
    expect(worker.scope).toBe('dedicated-worker');
    expect(worker.crossOriginIsolated).toBe(false);
    expect(worker.backend).toBe('wasm');
    expect(worker.simd).toBe(true);
    // Not isolated: one thread, on the single-threaded SIMD build (the threaded one needs
    // SharedArrayBuffer); the binary fetched tells the builds apart.
    expect(worker.threads).toBe(1);
    expect(worker.reason).toMatch(/1 thread; one thread: threads need a cross-origin isolated scope/);
    expect(report.wasmFilesFetched).toEqual(['tfjs-backend-wasm-simd.wasm']);
  });
});
