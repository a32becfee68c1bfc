import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendError, initBackend } from '../../src/index';

describe('initBackend in Node', () => {
  it('auto passes over WebGPU with its reason and picks WASM with SIMD', async () => {
    const report = await initBackend();
    expect(report.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.scope).toBe('node');
    expect(report.simd).toBe(true);
    expect(report.threads).toBe(1);
    // The default says why it is what it is.
    expect(report.reason).toMatch(
      /, 1 thread; cores \/ 2 by default in Node, which leaves cores to the rest of the machine$/,
    );
    expect(report.passedOver).toHaveLength(1);
    expect(report.passedOver[0].backend).toBe('webgpu');
    expect(report.passedOver[0].reason).toMatch(/navigator\.gpu/);
  });

  it('takes wasmCache and leaves it unused where there is no Cache API (Node reads the .wasm files from disk)', async () => {
    const report = await initBackend({ backend: 'wasm', wasmCache: 'wasm-copies' });
    expect(report.backend).toBe('wasm');
    expect(typeof globalThis.caches).toBe('undefined');
  });

  it('cpu can be forced', async () => {
    const report = await initBackend({ backend: 'cpu' });
    expect(report.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(report.passedOver).toEqual([]);
  });

  it('rejects an unknown backend name and says which names exist', async () => {
    const err = await initBackend({ backend: 'cuda' as never }).catch((e) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err.code).toBe('unknown-backend');
    expect(err.message).toMatch(/'cuda'.*auto, webgpu, wasm, cpu/);
  });

  it('refuses a thread count that is not a whole number of at least 1, naming it', async () => {
    for (const threads of [0, -1, NaN, 1.5]) {
      const err = await initBackend({ backend: 'cpu', threads }).catch((e) => e);
      expect(err, String(threads)).toBeInstanceOf(BackendError);
      expect(err.code).toBe('invalid-option');
      expect(err.message).toContain(`threads must be an integer of at least 1 (got ${threads})`);
    }
  });

  it('refuses WebGPU when forced where none exists, and says what to do', async () => {
    const err = await initBackend({ backend: 'webgpu' }).catch((e) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err.code).toBe('webgpu-unavailable');
    expect(err.message).toMatch(/navigator\.gpu.*backend 'auto'/);
  });
});
