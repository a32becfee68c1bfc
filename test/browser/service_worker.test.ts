// The runtime's service worker: a GET of /wgan-edge/sample answers with a PNG of samples.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { decode } from 'fast-png';
import { initBackend } from '../../src/backend/init';
import { validateArch } from '../../src/models/config';
import { createGenerator } from '../../src/models/index';
import { assignParams, disposeParams } from '../../src/nn/params';
import { seededLatents } from '../../src/runtime/latent_paths';
import { renderSamples } from '../../src/runtime/render';
import { connectServiceWorker, type ServiceWorkerRuntime } from '../../src/runtime/service_worker_client';
import type { ModelContents } from '../../src/io/codec';
import { DIGITS_ARCH, untrainedModel } from './toy_models';
import { WASM_FILES } from './wasm_files';

const SCOPE = '/';
let registration: ServiceWorkerRegistration;
let runtime: ServiceWorkerRuntime;
let digits: ModelContents;

/** Waits until the service worker controls this page (it claims clients on activation). */
async function controlled(): Promise<void> {
  if (navigator.serviceWorker.controller != null) return;
  await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
}

/** The page-side cpu reference of the PNG the service worker should draw. */
async function referencePng(model: ModelContents, n: number, seed: number): Promise<Uint8Array> {
  const arch = validateArch(model.architecture);
  const generator = createGenerator(arch, 0);
  assignParams(generator.params, model.generator, 'reference');
  const z = await seededLatents(n, arch.latentDim, seed);
  const out = tf.tidy(() => generator.apply(generator.params, tf.tensor2d(z, [n, arch.latentDim])));
  const values = Float32Array.from(await out.data());
  const shape = [...out.shape];
  out.dispose();
  disposeParams(generator.params);
  const png = renderSamples(values, shape, arch.outputRange, 'png');
  if (png.format !== 'png') throw new Error('expected png');
  return png.png;
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  digits = await untrainedModel(DIGITS_ARCH, 21);
  registration = await navigator.serviceWorker.register(new URL('../../workers/gan.sw.ts', import.meta.url), { type: 'module', scope: SCOPE });
  await navigator.serviceWorker.ready;
  await controlled();
});

afterAll(async () => {
  runtime?.close();
  await registration?.unregister();
});

describe('the runtime service worker', () => {
  it('answers 503, naming the problem, until a model is loaded', async () => {
    const response = await fetch('/wgan-edge/sample?seed=1');
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/no model is loaded/);
  });

  it('starts single-threaded WASM in the service worker scope', async () => {
    runtime = await connectServiceWorker(registration.active!, { wasmPaths: WASM_FILES });
    const info = await runtime.info();
    expect(info.scope).toBe('service-worker');
    expect(info.backend).toBe('wasm');
    expect(info.threads).toBe(1);
  });

  it('serves a PNG of the samples of a seed, pixel for pixel the page-side reference', async () => {
    await runtime.load(structuredClone(digits));
    const response = await fetch('/wgan-edge/sample?n=4&seed=7');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('image/png');
    const served = decode(new Uint8Array(await response.arrayBuffer()));
    const want = decode(await referencePng(digits, 4, 7));
    expect([served.width, served.height]).toEqual([want.width, want.height]);
    let maxLevelDifference = 0;
    for (let i = 0; i < want.data.length; i++) maxLevelDifference = Math.max(maxLevelDifference, Math.abs(served.data[i] - want.data[i]));
    // Rounding to 8 bits may land one level apart where wasm and cpu differ in the last float bit.
    expect(maxLevelDifference).toBeLessThanOrEqual(1);
  });

  it('an <img> under the scope shows a sample', async () => {
    const image = new Image();
    image.src = '/wgan-edge/sample?seed=3&truncation=0.5';
    await image.decode();
    expect([image.naturalWidth, image.naturalHeight]).toEqual([28 + 2 * 2, 28 + 2 * 2]);
  });

  it.each([
    ['n=abc', 400, /'n' must be a number, got 'abc'/],
    ['n=0', 400, /n must be an integer in \[1, 1024\], got 0/],
    ['seed=-3', 400, /seed must be an integer/],
  ])('?%s answers %i with the reason', async (query, status, message) => {
    const response = await fetch(`/wgan-edge/sample?${query}`);
    expect(response.status).toBe(status);
    expect(await response.text()).toMatch(message);
  });
});
