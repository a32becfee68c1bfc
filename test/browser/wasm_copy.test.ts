// The .wasm binary's Cache API copy (src/backend/wasm_copy.ts) on a page: refreshed while
// online, the binary handed to tfjs as a data: URL (the bytes just fetched, or with the network
// off the copy), and WASM starts from it. Each browser test file runs in its own page, so this
// file's WASM start is its own.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
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

  it('online: the binary fetched once, handed over as a data: URL, and a byte-exact copy of it kept', async () => {
    const path = (name: string) => new URL(WASM_FILES[name]).pathname;
    const before = await Promise.all(Object.keys(WASM_FILES).map((name) => commands.requestCount(path(name))));
    const map = (await wasmPathsWithCopy(WASM_FOLDER, CACHE)) as Record<string, string>;
    const after = await Promise.all(Object.keys(WASM_FILES).map((name) => commands.requestCount(path(name))));
    expect(after.reduce((a, b) => a + b) - before.reduce((a, b) => a + b)).toBe(1);
    const handed = Object.keys(map).filter((name) => map[name].startsWith('data:application/wasm;base64,'));
    expect(handed).toHaveLength(1);
    for (const name of Object.keys(WASM_FILES)) if (name !== handed[0]) expect(map[name]).toBe(WASM_FILES[name]);
    expect(Uint8Array.from(atob(map[handed[0]].split(',')[1]), (c) => c.charCodeAt(0))).toEqual(
      await bytesAt(WASM_FILES[handed[0]]),
    );
    const copies = await (await caches.open(CACHE)).keys();
    expect(copies).toHaveLength(1);
    const name = copies[0].url.split('/').pop()!;
    expect(name).toBe(handed[0]);
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
    const product = tf.tidy(() =>
      tf.matMul(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
        tf.tensor2d([[5], [6]]),
      ),
    );
    expect(Array.from(await product.data())).toEqual([17, 39]);
    product.dispose();
  });
});
