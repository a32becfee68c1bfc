/**
 * Model folders in the Cache API (pages, workers, service workers). The Cache API has no
 * transactions, so a save writes every file under a fresh version and only then moves the
 * `current` pointer to it: a failed or interrupted save leaves the previous model in use.
 * Entries live under synthetic same-origin URLs, /wgan-edge-models/<name>/...
 * A load that overlaps a save of the same name and finds its version deleted reads the new one.
 */
import { ConfigError } from '../utils/errors';
import type { ModelContents } from './codec';
import { ModelFormatError, type WeightStorage } from './format';
import { ModelStorageError, decodeModelFiles, encodeModelFiles } from './storage_files';

export const DEFAULT_CACHE_NAME = 'wgan-edge-models';
const URL_ROOT = '/wgan-edge-models/';
const POINTER = 'current';

export interface CacheStorageOptions {
  /** Which cache (caches.open name) holds the models. */
  cacheName?: string;
}

export async function saveModelToCache(
  name: string,
  model: ModelContents,
  storage: WeightStorage = 'float32',
  options: CacheStorageOptions = {},
): Promise<void> {
  const files = await encodeModelFiles(model, storage);
  const cache = await openCache(options);
  const previous = await readPointer(cache, name);
  const version = crypto.randomUUID();
  try {
    for (const [file, bytes] of Object.entries(files)) {
      await cache.put(entryUrl(name, `${version}/${file}`), new Response(bytes as Uint8Array<ArrayBuffer>));
    }
    await cache.put(entryUrl(name, POINTER), new Response(version));
  } catch (e) {
    await deleteVersion(cache, name, version);
    throw new ModelStorageError(
      `Cache '${cacheName(options)}': saving model '${name}' failed (${(e as Error).message}); the previous model is untouched.`,
      'write-failed',
      name,
    );
  }
  if (previous != null) await deleteVersion(cache, name, previous);
}

/** Rejects with ModelStorageError 'not-found' when no model is saved under `name`. */
export async function loadModelFromCache(name: string, options: CacheStorageOptions = {}): Promise<ModelContents> {
  const cache = await openCache(options);
  const version = await readPointer(cache, name);
  if (version == null)
    throw new ModelStorageError(`Cache '${cacheName(options)}' holds no model '${name}'.`, 'not-found', name);
  try {
    return await loadVersion(cache, name, version, options);
  } catch (e) {
    // A save of the same name may have swapped versions and deleted this one mid-load.
    const now = await readPointer(cache, name);
    if (e instanceof ModelFormatError && e.code === 'missing-file' && now != null && now !== version) {
      return loadVersion(cache, name, now, options);
    }
    throw e;
  }
}

function loadVersion(
  cache: Cache,
  name: string,
  version: string,
  options: CacheStorageOptions,
): Promise<ModelContents> {
  const read = async (file: string) => {
    const response = await cache.match(entryUrl(name, `${version}/${file}`));
    return response == null ? null : new Uint8Array(await response.arrayBuffer());
  };
  return decodeModelFiles(read, `cache:${cacheName(options)}/${name}`);
}

/** Removes the model and its files; true when there was one. */
export async function deleteModelFromCache(name: string, options: CacheStorageOptions = {}): Promise<boolean> {
  const cache = await openCache(options);
  const version = await readPointer(cache, name);
  if (version == null) return false;
  await cache.delete(entryUrl(name, POINTER));
  await deleteVersion(cache, name, version);
  return true;
}

function cacheName(options: CacheStorageOptions): string {
  return options.cacheName ?? DEFAULT_CACHE_NAME;
}

async function openCache(options: CacheStorageOptions): Promise<Cache> {
  const name = cacheName(options);
  if (globalThis.caches == null) {
    throw new ModelStorageError(
      'The Cache API is not available here (it needs a secure context: https or localhost).',
      'unavailable',
      name,
    );
  }
  try {
    return await caches.open(name);
  } catch (e) {
    throw new ModelStorageError(`Cache '${name}' could not be opened (${(e as Error).message}).`, 'unavailable', name);
  }
}

function entryUrl(name: string, path: string): string {
  if (typeof name !== 'string' || name === '')
    throw new ConfigError(`model name must be a non-empty string, got ${JSON.stringify(name)}`, 'bad-argument');
  return new URL(`${URL_ROOT}${encodeURIComponent(name)}/${path}`, globalThis.location.href).href;
}

async function readPointer(cache: Cache, name: string): Promise<string | null> {
  const response = await cache.match(entryUrl(name, POINTER));
  return response == null ? null : response.text();
}

async function deleteVersion(cache: Cache, name: string, version: string): Promise<void> {
  const prefix = entryUrl(name, `${version}/`);
  for (const request of await cache.keys()) {
    if (request.url.startsWith(prefix)) await cache.delete(request);
  }
}
