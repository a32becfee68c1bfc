// The browser bundles a package user serves (`npm run build`, which `npm test` runs first): the
// runtime worker dist/gan.worker.js (an ES module) and the service worker dist/gan.sw.js (one
// classic script), each starting WASM from the .wasm files the build copies beside them.
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/init';
import type { ModelContents } from '../../src/io/codec';
import { createRuntime } from '../../src/runtime/client';
import { PAGE_MODEL_CACHE } from '../../src/runtime/service_worker';
import { connectServiceWorker } from '../../src/runtime/service_worker_client';
import { registerRuntimeServiceWorker } from './service_worker_setup';
import { DIGITS_ARCH, untrainedModel } from './toy_models';

const DIST = new URL('/dist/', location.href).href;
/** The 2x2 grid of 28x28 digits a sample of 4 renders to: 2-pixel gaps and borders. */
const GRID_SIDE = 2 * 28 + 3 * 2;
let digits: ModelContents;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  digits = await untrainedModel(DIGITS_ARCH, 31);
});

describe('the built browser bundles', () => {
  it('dist/gan.worker.js: createRuntime starts WASM from dist/ and samples a loaded model', async () => {
    const runtime = await createRuntime({ worker: new URL('gan.worker.js', DIST), backend: 'wasm', wasmPaths: DIST });
    try {
      expect((await runtime.info()).backend).toBe('wasm');
      await runtime.load(structuredClone(digits));
      const result = await runtime.sample({ n: 4, seed: 1, format: 'png' });
      if (result.format !== 'png') throw new Error(`expected a PNG, got ${result.format}`);
      const image = decode(result.png);
      expect([image.width, image.height]).toEqual([GRID_SIDE, GRID_SIDE]);
    } finally {
      runtime.dispose();
    }
  });

  describe('dist/gan.sw.js', () => {
    let registration: ServiceWorkerRegistration;
    beforeAll(async () => {
      await caches.delete(PAGE_MODEL_CACHE);
      registration = await registerRuntimeServiceWorker('bundles', {
        path: '/dist/gan.sw.js',
        type: 'classic',
        wasmFolder: DIST,
      });
    });
    afterAll(async () => {
      await caches.delete(PAGE_MODEL_CACHE);
      await registration?.unregister();
    });

    it('registered as a classic script, it runs WASM and serves the sample URL', async () => {
      const runtime = await connectServiceWorker(registration.active!);
      try {
        const info = await runtime.info();
        expect([info.scope, info.backend]).toEqual(['service-worker', 'wasm']);
        await runtime.load(structuredClone(digits));
        const response = await fetch('/wgan-edge/sample?n=4&seed=1');
        expect(response.status).toBe(200);
        const image = decode(new Uint8Array(await response.arrayBuffer()));
        expect([image.width, image.height]).toEqual([GRID_SIDE, GRID_SIDE]);
      } finally {
        runtime.close();
      }
    });
  });
});
