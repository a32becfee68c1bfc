/**
 * A copy of the .wasm binary in a Cache API cache, for a scope that may start with the network
 * down: a service worker the browser stopped when idle is started again by the next request,
 * offline too, and its module scripts come from the browser's store but the binary does not.
 *
 * Network first, like the service worker's model copies: a fetched binary refreshes the copy,
 * and when the fetch fails for want of a network the copy stands in. Either way tfjs is handed
 * those bytes as a data: URL (service workers have no URL.createObjectURL), so a start fetches
 * the binary once, not once here and again in tfjs. An HTTP error means the server answered:
 * no copy then, the paths as they were, and tfjs reports the failure.
 */
import * as tf from '@tensorflow/tfjs-core';

export type WasmPaths = string | Record<string, string>;

/** tfjs-backend-wasm's builds: it fetches one of them, picked as in binaryTfjsFetches. */
const PLAIN = 'tfjs-backend-wasm.wasm';
const SIMD = 'tfjs-backend-wasm-simd.wasm';
const THREADED_SIMD = 'tfjs-backend-wasm-threaded-simd.wasm';

/** Bytes per String.fromCharCode call while base64-encoding (its arguments go on the stack). */
const ENCODE_CHUNK = 0x8000;

/**
 * The paths to give setWasmPaths: a file map naming the binary just fetched (the copy
 * refreshed) or, offline, the copy, as a data: URL; `paths` as they are when there is neither.
 * Call it once the WASM thread flags are set: they decide which binary tfjs fetches.
 */
export async function wasmPathsWithCopy(
  paths: WasmPaths | undefined,
  cacheName: string,
): Promise<WasmPaths | undefined> {
  const binary = await binaryTfjsFetches();
  // A map without this file: setWasmPaths names what is missing.
  if (typeof paths === 'object' && paths[binary] == null) return paths;
  const url = binaryUrl(paths, binary);
  const cache = await caches.open(cacheName);
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch {
    const copy = await cache.match(url);
    if (copy == null) return paths;
    return { ...fileMap(paths), [binary]: await dataUrl(copy) };
  }
  if (!response.ok) return paths;
  // A copy that cannot be stored (quota) costs only offline starts, not this one.
  await cache.put(url, response.clone()).catch(() => undefined);
  return { ...fileMap(paths), [binary]: await dataUrl(response) };
}

/** The same choice as tfjs-backend-wasm's getPathToWasmBinary. */
async function binaryTfjsFetches(): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return simd ? (threads ? THREADED_SIMD : SIMD) : PLAIN;
}

/**
 * Where tfjs fetches `binary` from: a prefix is joined to the name, a map names each file,
 * and with neither tfjs looks next to the worker's script. Relative URLs resolve against the
 * scope's location, as tfjs' own fetch resolves them.
 */
function binaryUrl(paths: WasmPaths | undefined, binary: string): string {
  const relative = paths == null ? binary : typeof paths === 'string' ? paths + binary : paths[binary];
  return new URL(relative, globalThis.location.href).href;
}

/** setWasmPaths takes a map only with all three files in it. */
function fileMap(paths: WasmPaths | undefined): Record<string, string> {
  return Object.fromEntries([PLAIN, SIMD, THREADED_SIMD].map((name) => [name, binaryUrl(paths, name)]));
}

async function dataUrl(response: Response): Promise<string> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += ENCODE_CHUNK)
    text += String.fromCharCode(...bytes.subarray(i, i + ENCODE_CHUNK));
  return `data:application/wasm;base64,${btoa(text)}`;
}
