// The runtime's service worker: a GET of /wgan-edge/sample answers with a PNG of samples.
import * as tf from '@tensorflow/tfjs-core';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { initBackend } from '../../src/backend/init';
import type { ModelContents } from '../../src/io/codec';
import { deleteModelFromCache, saveModelToCache } from '../../src/io/storage_cache';
import { loadModelFromUrl } from '../../src/io/storage_url';
import { validateArch } from '../../src/models/config';
import { createGenerator } from '../../src/models/index';
import { assignParams, disposeParams } from '../../src/nn/params';
import { PAGE_MODEL_CACHE } from '../../src/runtime/service_worker';
import { connectServiceWorker, type ServiceWorkerRuntime } from '../../src/runtime/service_worker_client';
import { seededLatents } from '../../src/sample/latent_paths';
import { renderSamples } from '../../src/sample/render';
import { registerRuntimeServiceWorker } from './service_worker_setup';
import { DIGITS_ARCH, POINTS_MODEL_URL, untrainedModel } from './toy_models';
import { WASM_FILES } from './wasm_files';

const CACHED_NAME = 'service-worker-test';
const CONDITIONAL_NAME = 'service-worker-conditional';
let registration: ServiceWorkerRegistration;
let runtime: ServiceWorkerRuntime;
let digits: ModelContents;

/** The body of a GET, failing with the worker's reason unless it answers 200. */
async function bytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The page-side cpu reference of the PNG the service worker should draw. */
async function referencePng(model: ModelContents, n: number, seed: number, label?: number): Promise<Uint8Array> {
  const arch = validateArch(model.architecture);
  const generator = createGenerator(arch, 0);
  assignParams(generator.params, model.generator, 'reference');
  const z = await seededLatents(n, arch.latentDim, seed);
  const labels = label == null ? undefined : new Int32Array(n).fill(label);
  const out = tf.tidy(() =>
    generator.apply(generator.params, tf.tensor2d(z, [n, arch.latentDim]), labels && tf.tensor1d(labels, 'int32')),
  );
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
  // A page model kept by an earlier run would answer the first test's request.
  await caches.delete(PAGE_MODEL_CACHE);
  digits = await untrainedModel(DIGITS_ARCH, 21);
  registration = await registerRuntimeServiceWorker('service_worker');
});

afterAll(async () => {
  runtime?.close();
  await deleteModelFromCache(CACHED_NAME);
  await deleteModelFromCache(CONDITIONAL_NAME);
  await caches.delete(PAGE_MODEL_CACHE);
  await registration?.unregister();
});

describe('the runtime service worker', () => {
  it('answers 503, naming the problem, until a model is loaded', async () => {
    const response = await fetch('/wgan-edge/sample?seed=1');
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/no model is loaded/);
  });

  it('starts single-threaded WASM in the service worker scope', async () => {
    runtime = await connectServiceWorker(registration.active!);
    const info = await runtime.info();
    expect(info.scope).toBe('service-worker');
    expect(info.backend).toBe('wasm');
    expect(info.threads).toBe(1);
    expect(info.reason).toMatch(/1 thread; one thread in a service worker, which cannot start the pthread workers$/);
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
    for (let i = 0; i < want.data.length; i++)
      maxLevelDifference = Math.max(maxLevelDifference, Math.abs(served.data[i] - want.data[i]));
    // Rounding to 8 bits may land one level apart where wasm and cpu differ in the last float bit.
    expect(maxLevelDifference).toBeLessThanOrEqual(1);
  });

  it('an <img> under the scope shows a sample', async () => {
    const image = new Image();
    image.src = '/wgan-edge/sample?seed=3&truncation=0.5';
    await image.decode();
    expect([image.naturalWidth, image.naturalHeight]).toEqual([28 + 2 * 2, 28 + 2 * 2]);
  });

  it('a URL naming a model folder: the worker loads it itself and serves its samples', async () => {
    const response = await fetch(`/wgan-edge/sample?model=${encodeURIComponent(POINTS_MODEL_URL)}&n=64&seed=2`);
    expect(response.status).toBe(200);
    const served = decode(new Uint8Array(await response.arrayBuffer()));
    const want = decode(await referencePng(await loadModelFromUrl(POINTS_MODEL_URL), 64, 2));
    expect([served.width, served.height]).toEqual([want.width, want.height]);
    // A scatter plot: a sample a float32 ulp away from the reference may land one pixel over.
    let differing = 0;
    for (let i = 0; i < want.data.length; i++) if (want.data[i] !== served.data[i]) differing++;
    expect(differing / want.data.length).toBeLessThan(0.001);
  });

  it('a URL naming a model saved in the Cache API', async () => {
    await saveModelToCache(CACHED_NAME, structuredClone(digits));
    const response = await fetch(`/wgan-edge/sample?cache=${CACHED_NAME}&n=4&seed=7`);
    expect(response.status).toBe(200);
    const served = decode(new Uint8Array(await response.arrayBuffer()));
    const want = decode(await referencePng(digits, 4, 7));
    let maxLevelDifference = 0;
    for (let i = 0; i < want.data.length; i++)
      maxLevelDifference = Math.max(maxLevelDifference, Math.abs(served.data[i] - want.data[i]));
    expect(maxLevelDifference).toBeLessThanOrEqual(1);
  });

  it('a page that loads another model in between does not hide the named one', async () => {
    await runtime.load(await loadModelFromUrl(POINTS_MODEL_URL));
    const response = await fetch(`/wgan-edge/sample?cache=${CACHED_NAME}&n=4&seed=7`);
    const served = decode(new Uint8Array(await response.arrayBuffer()));
    // The digits' 2x2 grid, not the points' scatter plot.
    expect([served.width, served.height]).toEqual([2 * 28 + 3 * 2, 2 * 28 + 3 * 2]);
  });

  it('requests naming two models at once each get their own model, as <img> tags fetched together do', async () => {
    const pointsUrl = `/wgan-edge/sample?model=${encodeURIComponent(POINTS_MODEL_URL)}&n=4&seed=3`;
    const digitsUrl = `/wgan-edge/sample?cache=${CACHED_NAME}&n=4&seed=3`;
    const alone = { [pointsUrl]: await bytes(pointsUrl), [digitsUrl]: await bytes(digitsUrl) };
    // Repeats and changes of model both: a repeat waits for the model already loading.
    const urls = [pointsUrl, pointsUrl, digitsUrl, digitsUrl, pointsUrl, digitsUrl, digitsUrl, pointsUrl];
    const together = await Promise.all(urls.map(bytes));
    together.forEach((png, i) => expect(png, `request ${i}`).toEqual(alone[urls[i]]));
  });

  it('alternating between models named by URL fetches each once: the worker keeps the last few it fetched', async () => {
    const mnist = '/models/mnist/';
    const modelJson = `${mnist}model.json`;
    const urls = [mnist, POINTS_MODEL_URL, mnist, POINTS_MODEL_URL, mnist].map(
      (model) => `/wgan-edge/sample?model=${encodeURIComponent(model)}&n=1&seed=3`,
    );
    const before = await commands.requestCount(modelJson);
    const pngs = [];
    for (const url of urls) pngs.push(await bytes(url));
    expect(await commands.requestCount(modelJson)).toBe(before + 1);
    // Reloaded from memory, the same model draws the same samples.
    expect(pngs[2]).toEqual(pngs[0]);
    expect(pngs[4]).toEqual(pngs[0]);
    expect(pngs[1]).not.toEqual(pngs[0]);
  });

  it("a URL naming no model draws the page's model, also after a URL that named another", async () => {
    await runtime.load(structuredClone(digits));
    await bytes(`/wgan-edge/sample?model=${encodeURIComponent(POINTS_MODEL_URL)}&n=4&seed=7`);
    const served = decode(await bytes('/wgan-edge/sample?n=4&seed=7'));
    const want = decode(await referencePng(digits, 4, 7));
    expect([served.width, served.height]).toEqual([want.width, want.height]);
    let maxLevelDifference = 0;
    for (let i = 0; i < want.data.length; i++)
      maxLevelDifference = Math.max(maxLevelDifference, Math.abs(served.data[i] - want.data[i]));
    expect(maxLevelDifference).toBeLessThanOrEqual(1);
  });

  it.each([
    ['model=/test/browser/fixtures/no-such-model/', 404, /ModelStorageError: .*404/],
    ['cache=never-saved', 404, /holds no model 'never-saved'/],
    ['cache=a&indexedDb=b', 400, /name one model source, got cache and indexedDb/],
    ['n=abc', 400, /'n' must be a number, got 'abc'/],
    ['n=0', 400, /n must be an integer in \[1, 1024\], got 0/],
    ['seed=-3', 400, /seed must be an integer/],
  ])('?%s answers %i with the reason', async (query, status, message) => {
    const response = await fetch(`/wgan-edge/sample?${query}`);
    expect(response.status).toBe(status);
    expect(await response.text()).toMatch(message);
  });

  it("stopped by the browser: the page's channel starts it again, and the page's model still answers there and at the URL", async () => {
    await runtime.load(structuredClone(digits));
    const url = '/wgan-edge/sample?n=4&seed=9';
    const png = await bytes(url);
    const samples = await runtime.sample({ n: 3, seed: 9, format: 'float32' });
    expect(await commands.stopServiceWorkers()).toBeGreaterThanOrEqual(1);
    // A channel call first: it waits for the stop to show, connects again and runs there.
    expect(await runtime.sample({ n: 3, seed: 9, format: 'float32' })).toEqual(samples);
    expect(await commands.stopServiceWorkers()).toBeGreaterThanOrEqual(1);
    // The URL first: the browser starts the worker, which reads the page's model from its cache.
    expect(await bytes(url)).toEqual(png);
    expect((await runtime.info()).backend).toBe('wasm');
    expect(await commands.stopServiceWorkers()).toBeGreaterThanOrEqual(1);
    // A model's contents sent to the stopped worker, then again to the started one.
    const points = await loadModelFromUrl(POINTS_MODEL_URL);
    await runtime.load(points);
    expect(await bytes(url)).not.toEqual(png);
    // Copied, not transferred: a second send must find the arrays whole.
    for (const { values } of Object.values(points.generator)) expect(values.byteLength).toBeGreaterThan(0);
  });

  it('a start fetches the .wasm binary once: tfjs is handed the bytes the worker refreshed its copy with', async () => {
    const paths = Object.values(WASM_FILES).map((url) => new URL(url).pathname);
    const wasmFetches = async () =>
      (await Promise.all(paths.map((path) => commands.requestCount(path)))).reduce((a, b) => a + b);
    expect(await commands.stopServiceWorkers()).toBeGreaterThanOrEqual(1);
    const before = await wasmFetches();
    expect((await fetch('/wgan-edge/sample?n=1&seed=2')).status).toBe(200);
    expect(await wasmFetches()).toBe(before + 1);
  });

  it('&label=: a conditional model draws that class, pixel for pixel the reference; a label it refuses is a 400', async () => {
    const conditional = await untrainedModel({ ...DIGITS_ARCH, labels: 10 }, 22);
    await saveModelToCache(CONDITIONAL_NAME, structuredClone(conditional));
    const served = decode(await bytes(`/wgan-edge/sample?cache=${CONDITIONAL_NAME}&n=4&seed=7&label=3`));
    const want = decode(await referencePng(conditional, 4, 7, 3));
    let maxLevelDifference = 0;
    for (let i = 0; i < want.data.length; i++)
      maxLevelDifference = Math.max(maxLevelDifference, Math.abs(served.data[i] - want.data[i]));
    expect(maxLevelDifference).toBeLessThanOrEqual(1);
    const otherLabel = decode(await bytes(`/wgan-edge/sample?cache=${CONDITIONAL_NAME}&n=4&seed=7&label=4`));
    expect(Array.from(otherLabel.data)).not.toEqual(Array.from(served.data));
    const outOfRange = await fetch(`/wgan-edge/sample?cache=${CONDITIONAL_NAME}&n=1&seed=7&label=10`);
    expect(outOfRange.status).toBe(400);
    expect(await outOfRange.text()).toContain("label must be an integer from 0 to 9 (the model's 10 classes), got 10");
    await saveModelToCache(CACHED_NAME, structuredClone(digits));
    const unconditional = await fetch(`/wgan-edge/sample?cache=${CACHED_NAME}&n=1&seed=7&label=1`);
    expect(unconditional.status).toBe(400);
    expect(await unconditional.text()).toContain('this model is unconditional, it takes no label');
  });
});
