// A file of its own: a failed WASM start cannot be undone within one tfjs instance.
import { describe, expect, it } from 'vitest';
import { BackendError, initBackend } from '../../src/index';

describe('initBackend with missing WASM files', () => {
  it('a forced wasm backend names the files and the folder it looked in', async () => {
    const err = await initBackend({ backend: 'wasm', wasmPaths: '/nonexistent/wasm/' }).catch((e) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err.code).toBe('wasm-unavailable');
    expect(err.message).toContain('/nonexistent/wasm/');
    expect(err.message).toMatch(/tfjs-backend-wasm-simd\.wasm/);
    expect(err.message).toMatch(/wasmPaths/);
  });

  it('auto falls back to cpu and says why wasm was passed over', async () => {
    const report = await initBackend({ wasmPaths: '/nonexistent/wasm/' });
    expect(report.backend).toBe('cpu');
    expect(report.passedOver.map((p) => p.backend)).toEqual(['webgpu', 'wasm']);
  });
});
