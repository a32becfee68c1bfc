// The .wasm binary's Cache API copy (src/backend/wasm_copy.ts) on a page: kept while online,
// handed to tfjs as a data: URL with the network off, and WASM starts from it. Each browser
// test file runs in its own page, so this file's WASM start is its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/init';
import { wasmPathsWithCopy } from '../../src/backend/wasm_copy';
import { offline } from './offline';
import { WASM_FILES, WASM_FOLDER } from './wasm_files';

const CACHE = 'wasm-copy-test';

async function bytesAt(url: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(url)).arrayBuffer());
}

beforeAll(() => caches.delete(CACHE));
afterAll(async () => {
  await commands.setNetworkOff(false);
  await caches.delete(CACHE);
});

describe('the .wasm binary copy', () => {
  it('offline with no copy yet: the paths are given back as they are, for tfjs to report the failed fetch', async () => {
    expect(await offline(() => wasmPathsWithCopy(WASM_FILES, CACHE))).toBe(WASM_FILES);
    expect(await (await caches.open(CACHE)).keys()).toHaveLength(0);
  });

  it('an HTTP error is no network failure: no copy, paths as they are', async () => {
    const missingFolder = new URL('no-such-folder/', WASM_FOLDER).href;
    expect(await wasmPathsWithCopy(missingFolder, CACHE)).toBe(missingFolder);
    expect(await (await caches.open(CACHE)).keys()).toHaveLength(0);
  });

  it('online: the paths as they are, and a byte-exact copy of the one binary tfjs will fetch', async () => {
    expect(await wasmPathsWithCopy(WASM_FOLDER, CACHE)).toBe(WASM_FOLDER);
    const copies = await (await caches.open(CACHE)).keys();
    expect(copies).toHaveLength(1);
    const name = copies[0].url.split('/').pop()!;
    expect(Object.keys(WASM_FILES)).toContain(name);
    const copy = new Uint8Array(await (await caches.match(copies[0].url, { cacheName: CACHE }))!.arrayBuffer());
    expect(copy).toEqual(await bytesAt(WASM_FILES[name]));
  });

  it('offline: a file map with the copy as a data: URL, and the other files as they were', async () => {
    const paths = await offline(() => wasmPathsWithCopy(WASM_FOLDER, CACHE));
    expect(typeof paths).toBe('object');
    const map = paths as Record<string, string>;
    expect(Object.keys(map).sort()).toEqual(Object.keys(WASM_FILES).sort());
    const copied = Object.keys(map).filter((name) => map[name].startsWith('data:application/wasm;base64,'));
    expect(copied).toHaveLength(1);
    for (const name of Object.keys(map)) if (name !== copied[0]) expect(map[name]).toBe(WASM_FILES[name]);
    const decoded = Uint8Array.from(atob(map[copied[0]].split(',')[1]), (c) => c.charCodeAt(0));
    expect(decoded).toEqual(await bytesAt(WASM_FILES[copied[0]]));
  });

  it('initBackend with wasmCache starts WASM offline from the copy and computes', async () => {
    const report = await offline(() => initBackend({ backend: 'wasm', wasmPaths: WASM_FOLDER, wasmCache: CACHE }));
    expect(report.backend).toBe('wasm');
    const product = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])));
    expect(Array.from(await product.data())).toEqual([17, 39]);
    product.dispose();
  });
});
