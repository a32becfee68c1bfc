// Model folders in the browser: Cache API and IndexedDB round trips and all-or-nothing saves,
// and URL loads from the vitest server (progress, a 404 and a corrupt shard each rejected with
// its own error).
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelContents } from '../../src/io/codec';
import { ModelFormatError, type NamedArrays } from '../../src/io/format';
import {
  DEFAULT_CACHE_NAME,
  deleteModelFromCache,
  loadModelFromCache,
  saveModelToCache,
} from '../../src/io/storage_cache';
import { ModelStorageError } from '../../src/io/storage_files';
import { deleteModelFromIndexedDb, loadModelFromIndexedDb, saveModelToIndexedDb } from '../../src/io/storage_indexeddb';
import { loadModelFromUrl, type LoadProgress } from '../../src/io/storage_url';

const FIXTURES = '/test/browser/fixtures/';
/** Sizes of the fixture's files, as committed. */
/** The fixture's file sizes (test/browser/fixtures/io_model). */
const FIXTURE_BYTES = { 'model.json': 1204, 'generator.bin': 168 };
const CACHE = 'wgan-edge-io-test';
const DATABASE = 'wgan-edge-io-test';

function randomArrays(seed: number): NamedArrays {
  let s = seed;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const make = (shape: number[]) => ({
    shape,
    values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rand),
  });
  return { 'dense1/kernel': make([4, 8]), 'dense1/bias': make([8]), 'conv/kernel': make([3, 3, 2, 5]) };
}

function model(seed: number): ModelContents {
  return {
    architecture: { kind: 'test', seed },
    latentDim: 4,
    outputShape: [8],
    outputRange: [-1, 1],
    provenance: { dataset: 'none', seed },
    generator: randomArrays(seed),
    critic: randomArrays(seed + 1),
  };
}

function expectSameModel(actual: ModelContents, expected: ModelContents, tolerance = 0): void {
  expect(actual.architecture).toEqual(expected.architecture);
  expect(actual.provenance).toEqual(expected.provenance);
  for (const net of ['generator', 'critic'] as const) {
    expect(Object.keys(actual[net]!)).toEqual(Object.keys(expected[net]!));
    for (const [name, w] of Object.entries(expected[net]!)) {
      expect(actual[net]![name].shape).toEqual(w.shape);
      const worst = w.values.reduce((m, v, i) => Math.max(m, Math.abs(v - actual[net]![name].values[i])), 0);
      expect(worst).toBeLessThanOrEqual(tolerance);
    }
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );
}

describe('Cache API storage', () => {
  afterEach(() => caches.delete(CACHE));

  it('round-trips float32 exactly and float16 within its rounding; a second save replaces the first', async () => {
    // Other test files on this origin may have used the default cache: start without it.
    await caches.delete(DEFAULT_CACHE_NAME);
    const options = { cacheName: CACHE };
    await saveModelToCache('digits', model(1), 'float32', options);
    expectSameModel(await loadModelFromCache('digits', options), model(1));
    await saveModelToCache('digits', model(5), 'float16', options);
    // float16 keeps 11 significant bits: relative error <= 2^-11 on values in [-1, 1].
    expectSameModel(await loadModelFromCache('digits', options), model(5), 2 ** -11);
    // The first save's files are gone: pointer + model.json + two shards remain.
    expect((await (await caches.open(CACHE)).keys()).length).toBe(4);
    expect(await caches.has(DEFAULT_CACHE_NAME)).toBe(false);
  });

  it('a save that fails half-way leaves the previous model in use and no stray files', async () => {
    const options = { cacheName: CACHE };
    await saveModelToCache('digits', model(1), 'float32', options);
    const before = (await (await caches.open(CACHE)).keys()).map((r) => r.url).sort();
    const put = Cache.prototype.put;
    let puts = 0;
    Cache.prototype.put = function (this: Cache, ...args: Parameters<Cache['put']>) {
      if (++puts === 2) return Promise.reject(new DOMException('Quota exceeded', 'QuotaExceededError'));
      return put.apply(this, args);
    };
    let error: Error;
    try {
      error = await rejection(saveModelToCache('digits', model(2), 'float32', options));
    } finally {
      Cache.prototype.put = put;
    }
    expect(error).toBeInstanceOf(ModelStorageError);
    expect((error as ModelStorageError).code).toBe('write-failed');
    expect(error.message).toMatch(/saving model 'digits' failed \(Quota exceeded\); the previous model is untouched/);
    expectSameModel(await loadModelFromCache('digits', options), model(1));
    expect((await (await caches.open(CACHE)).keys()).map((r) => r.url).sort()).toEqual(before);
  });

  it('a load overlapped by a save of the same name returns the new model whole', async () => {
    const options = { cacheName: CACHE };
    await saveModelToCache('digits', model(1), 'float32', options);
    const match = Cache.prototype.match;
    let saved = false;
    // Between the load's model.json and its first shard, another save swaps versions.
    Cache.prototype.match = async function (this: Cache, ...args: Parameters<Cache['match']>) {
      const url = String(args[0] instanceof Request ? args[0].url : args[0]);
      if (!saved && url.endsWith('/generator.bin')) {
        saved = true;
        await saveModelToCache('digits', model(2), 'float32', options);
      }
      return match.apply(this, args);
    };
    let loaded: ModelContents;
    try {
      loaded = await loadModelFromCache('digits', options);
    } finally {
      Cache.prototype.match = match;
    }
    expect(saved).toBe(true);
    expectSameModel(loaded, model(2));
  });

  it('names a missing model, and deletes', async () => {
    const options = { cacheName: CACHE };
    const missing = await rejection(loadModelFromCache('nothing', options));
    expect(missing).toBeInstanceOf(ModelStorageError);
    expect((missing as ModelStorageError).code).toBe('not-found');
    expect(missing.message).toBe(`Cache '${CACHE}' holds no model 'nothing'.`);
    await saveModelToCache('digits', model(1), 'uint8', options);
    expect(await deleteModelFromCache('digits', options)).toBe(true);
    expect(await deleteModelFromCache('digits', options)).toBe(false);
    expect((await (await caches.open(CACHE)).keys()).length).toBe(0);
  });

  it('rejects a stored shard that was altered, naming it', async () => {
    const options = { cacheName: CACHE };
    await saveModelToCache('digits', model(1), 'float32', options);
    const cache = await caches.open(CACHE);
    const shard = (await cache.keys()).find((r) => r.url.endsWith('/critic.bin'))!;
    const bytes = new Uint8Array(await (await cache.match(shard))!.arrayBuffer());
    bytes[0] ^= 1;
    await cache.put(shard, new Response(bytes));
    const error = await rejection(loadModelFromCache('digits', options));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as ModelFormatError).code).toBe('checksum');
    expect(error.message).toMatch(new RegExp(`^cache:${CACHE}/digits/critic.bin: checksum mismatch`));
  });
});

describe('IndexedDB storage', () => {
  afterEach(
    () =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.deleteDatabase(DATABASE);
        request.onsuccess = () => resolve();
        request.onerror = () => reject(request.error);
      }),
  );

  it('round-trips float32 exactly and uint8 within half a step; a second save replaces the first', async () => {
    const options = { databaseName: DATABASE };
    await saveModelToIndexedDb('digits', model(1), 'float32', options);
    await saveModelToIndexedDb('points', model(3), 'float32', options);
    expectSameModel(await loadModelFromIndexedDb('digits', options), model(1));
    await saveModelToIndexedDb('digits', model(5), 'uint8', options);
    // uint8 spans each tensor's [min, max] (within [-1, 1]) in 255 steps: error <= half a step.
    expectSameModel(await loadModelFromIndexedDb('digits', options), model(5), 1 / 255 + 1e-7);
    expectSameModel(await loadModelFromIndexedDb('points', options), model(3));
  });

  it('a save that cannot be encoded writes nothing and keeps the previous model', async () => {
    const options = { databaseName: DATABASE };
    await saveModelToIndexedDb('digits', model(1), 'float32', options);
    const broken = model(2);
    broken.generator['dense1/bias'].values[3] = NaN;
    const error = await rejection(saveModelToIndexedDb('digits', broken, 'float32', options));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.message).toMatch(/generator weight 'dense1\/bias' holds NaN at index 3/);
    expectSameModel(await loadModelFromIndexedDb('digits', options), model(1));
  });

  it('names a missing model, and deletes', async () => {
    const options = { databaseName: DATABASE };
    const missing = await rejection(loadModelFromIndexedDb('nothing', options));
    expect(missing).toBeInstanceOf(ModelStorageError);
    expect((missing as ModelStorageError).code).toBe('not-found');
    expect(missing.message).toBe(`IndexedDB '${DATABASE}' holds no model 'nothing'.`);
    await saveModelToIndexedDb('digits', model(1), 'float16', options);
    expect(await deleteModelFromIndexedDb('digits', options)).toBe(true);
    expect(await deleteModelFromIndexedDb('digits', options)).toBe(false);
    expect((await rejection(loadModelFromIndexedDb('digits', options))).message).toMatch(/holds no model 'digits'/);
  });
});

describe('URL storage', () => {
  it('loads a served model folder with progress up to its full size', async () => {
    const seen: LoadProgress[] = [];
    const loaded = await loadModelFromUrl(`${FIXTURES}io_model`, { onProgress: (p) => seen.push(p) });
    expect(loaded.architecture).toMatchObject({ kind: 'mlp', hidden: 8, depth: 1 });
    expect(loaded.provenance.seed).toBe(11);
    const total = FIXTURE_BYTES['model.json'] + FIXTURE_BYTES['generator.bin'];
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.every((p) => p.total === total)).toBe(true);
    expect(seen.map((p) => p.loaded)).toEqual([...seen.map((p) => p.loaded)].sort((a, b) => a - b));
    expect(seen.at(-1)!.loaded).toBe(total);
    // The model.json URL itself works too, and gives the same weights.
    const again = await loadModelFromUrl(`${FIXTURES}io_model/model.json`);
    expect(again.generator).toEqual(loaded.generator);
  });

  it('rejects a missing folder with the URL and HTTP status', async () => {
    const error = await rejection(loadModelFromUrl(`${FIXTURES}no_such_model/`));
    expect(error).toBeInstanceOf(ModelStorageError);
    expect((error as ModelStorageError).code).toBe('http');
    expect((error as ModelStorageError).status).toBe(404);
    const url = new URL(`${FIXTURES}no_such_model/model.json`, location.href).href;
    expect(error.message).toMatch(new RegExp(`^${url.replace(/[.?]/g, '\\$&')}: HTTP 404`));
  });

  it('rejects a corrupted shard with a checksum error naming its URL', async () => {
    const error = await rejection(loadModelFromUrl(`${FIXTURES}io_model_corrupt/`));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect((error as ModelFormatError).code).toBe('checksum');
    const url = new URL(`${FIXTURES}io_model_corrupt/generator.bin`, location.href).href;
    expect((error as ModelFormatError).file).toBe(url);
    expect(error.message).toMatch(/checksum mismatch/);
  });
});
