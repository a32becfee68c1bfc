// The runtime service worker with the network off (every request fails as offline, through
// the setNetworkOff command of vitest.config.ts): sample URLs naming a model it read earlier still
// answer, byte for byte the PNG they gave online, also after the browser has stopped the worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { initBackend } from '../../src/backend/init';
import type { ModelContents } from '../../src/io/codec';
import { deleteModelFromCache, saveModelToCache } from '../../src/io/storage_cache';
import { URL_MODEL_COPIES_CACHE, WASM_COPY_CACHE } from '../../src/runtime/service_worker';
import { connectServiceWorker, type ServiceWorkerRuntime } from '../../src/runtime/service_worker_client';
import { offline } from './offline';
import { registerRuntimeServiceWorker } from './service_worker_setup';
import { DIGITS_ARCH, POINTS_MODEL_URL, untrainedModel } from './toy_models';

const CACHED_NAME = 'service-worker-offline-test';
/** A model folder this file never asks the service worker for while online. */
const NEVER_FETCHED_MODEL_URL = '/test/browser/fixtures/io_model/';
let registration: ServiceWorkerRegistration;
let runtime: ServiceWorkerRuntime;
let digits: ModelContents;

/** GETs a sample URL and returns the PNG's bytes, failing with the service worker's reason. */
async function samplePngBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  expect(response.headers.get('Content-Type')).toBe('image/png');
  return new Uint8Array(await response.arrayBuffer());
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  digits = await untrainedModel(DIGITS_ARCH, 23);
  // Copies left by an earlier run would let the tests pass without this run's fetches.
  await caches.delete(URL_MODEL_COPIES_CACHE);
  await caches.delete(WASM_COPY_CACHE);
  registration = await registerRuntimeServiceWorker('service_worker_offline');
  runtime = await connectServiceWorker(registration.active!);
});

afterAll(async () => {
  await commands.setNetworkOff(false);
  runtime?.close();
  await deleteModelFromCache(CACHED_NAME);
  await caches.delete(URL_MODEL_COPIES_CACHE);
  await caches.delete(WASM_COPY_CACHE);
  await registration?.unregister();
});

describe('the runtime service worker offline', () => {
  it('offline mode reaches the service worker: a model URL it never fetched answers 404, request failed', async () => {
    const response = await offline(() =>
      fetch(`/wgan-edge/sample?model=${encodeURIComponent(NEVER_FETCHED_MODEL_URL)}`),
    );
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/ModelStorageError: .*io_model\/model\.json: request failed/);
  });

  it('?model=<url> it fetched online answers the same PNG offline, from its Cache API copy', async () => {
    const sampleUrl = `/wgan-edge/sample?model=${encodeURIComponent(POINTS_MODEL_URL)}&n=64&seed=2`;
    const online = await samplePngBytes(sampleUrl);
    // A page's load() replaces the worker's model: the next request must read the model again.
    await runtime.load(structuredClone(digits));
    const served = await offline(() => samplePngBytes(sampleUrl));
    expect(served).toEqual(online);
  });

  it('?cache=<name> answers the same PNG offline', async () => {
    await saveModelToCache(CACHED_NAME, structuredClone(digits));
    const sampleUrl = `/wgan-edge/sample?cache=${CACHED_NAME}&n=4&seed=7`;
    const online = await samplePngBytes(sampleUrl);
    await runtime.load({ url: POINTS_MODEL_URL });
    const served = await offline(() => samplePngBytes(sampleUrl));
    expect(served).toEqual(online);
  });

  it('stopped by the browser, it starts again offline: the same PNG, from its copies of the .wasm binary and the model', async () => {
    const sampleUrl = `/wgan-edge/sample?model=${encodeURIComponent(POINTS_MODEL_URL)}&n=16&seed=5`;
    const online = await samplePngBytes(sampleUrl);
    expect(await commands.stopServiceWorkers()).toBeGreaterThanOrEqual(1);
    // Offline while it is stopped: the request starts it, and its backend and model start
    // with that request, offline.
    const served = await offline(() => samplePngBytes(sampleUrl));
    expect(served).toEqual(online);
  });

  it('back online, a model URL loads from the network again', async () => {
    const response = await fetch(`/wgan-edge/sample?model=${encodeURIComponent(NEVER_FETCHED_MODEL_URL)}&seed=1`);
    expect(response.status).toBe(200);
  });
});
