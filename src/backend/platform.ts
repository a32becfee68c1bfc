/** Probes of the JavaScript scope we run in. No tfjs here: facts about the platform only. */

export type Scope = 'node' | 'window' | 'dedicated-worker' | 'shared-worker' | 'service-worker' | 'unknown';

interface GlobalProbe {
  process?: { versions?: { node?: string } };
  window?: unknown;
  document?: unknown;
  importScripts?: unknown;
  constructor?: { name?: string };
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number; gpu?: GPU };
}

const g = globalThis as unknown as GlobalProbe;

export function detectScope(): Scope {
  if (g.process?.versions?.node != null && g.window == null) return 'node';
  if (g.window != null && g.document != null) return 'window';
  const name = g.constructor?.name;
  if (name === 'ServiceWorkerGlobalScope') return 'service-worker';
  if (name === 'SharedWorkerGlobalScope') return 'shared-worker';
  if (name === 'DedicatedWorkerGlobalScope' || g.importScripts != null) return 'dedicated-worker';
  return 'unknown';
}

/** SharedArrayBuffer (and so WASM threads) is only given to cross-origin isolated pages. */
export function isCrossOriginIsolated(): boolean {
  return g.crossOriginIsolated === true;
}

export function hardwareConcurrency(): number {
  return g.navigator?.hardwareConcurrency ?? 1;
}

export function webGpuApi(): GPU | undefined {
  return g.navigator?.gpu;
}

/** A tiny module using a v128 instruction: the same probe tfjs-backend-wasm uses. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11,
]);

export function hasWasm(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function';
}

export function hasWasmSimd(): boolean {
  try {
    return hasWasm() && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}
