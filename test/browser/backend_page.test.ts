// initBackend on the page itself (no worker). Each browser test file runs in its own page,
// so the WASM paths set here are this file's alone.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/index';
import { WASM_FILES } from './wasm_files';

describe('initBackend in a Chromium page', () => {
  it('is cross-origin isolated (the test server sends COOP/COEP)', () => {
    expect(crossOriginIsolated).toBe(true);
    expect(typeof SharedArrayBuffer).toBe('function');
  });

  it('auto passes over the SwiftShader adapter with its reason and picks WASM with SIMD', async () => {
    const report = await initBackend({ wasmPaths: WASM_FILES });
    expect(report.scope).toBe('window');
    expect(report.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.simd).toBe(true);
    expect(report.crossOriginIsolated).toBe(true);
    // Threads: tfjs caps them at hardwareConcurrency / 2, so a 2-core CI box gets 1.
    expect(report.threads).toBe(Math.max(1, Math.floor(navigator.hardwareConcurrency / 2)));
    expect(report.reason).toMatch(
      /thread(s)?; cores \/ 2 by default outside a dedicated worker, leaving cores to the page's own thread \(rendering, input\)$/,
    );
    expect(report.passedOver).toHaveLength(1);
    expect(report.passedOver[0].backend).toBe('webgpu');
    expect(report.passedOver[0].reason).toMatch(/software fallback/);
    expect(report.adapter?.isFallbackAdapter).toBe(true);
    const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])));
    expect(Array.from(await sum.data())).toEqual([4, 6]);
    sum.dispose();
  });

  it('webgpu forced on the software adapter starts and computes', async () => {
    const report = await initBackend({ backend: 'webgpu' });
    expect(report.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(report.reason).toMatch(/software WebGPU adapter/);
    const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])));
    // Read back asynchronously: dataSync() on SwiftShader returns zeros and loses the device.
    expect(Array.from(await product.data())).toEqual([11]);
    product.dispose();
  });

  it('cpu can be forced', async () => {
    const report = await initBackend({ backend: 'cpu' });
    expect(report.backend).toBe('cpu');
    expect(report.threads).toBe(1);
  });
});
