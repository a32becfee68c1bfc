/**
 * WebGPU in the Node builds (rollup.config.mjs puts this module in place of webgpu.ts): Node has
 * no WebGPU of its own, so tfjs-backend-webgpu is an optional peer there, loaded (with this
 * project's kernels for it) the first time initBackend finds a WebGPU API, e.g. navigator.gpu
 * from Dawn's npm package 'webgpu'. Node users need tfjs-core, tfjs-backend-cpu and
 * tfjs-backend-wasm only.
 */
import { WEBGPU_PEER, installCommand } from './peers';

let loading: Promise<string | null> | null = null;

/** Loads tfjs-backend-webgpu if it is not loaded yet; why it cannot be, or null. */
export function loadWebGpuBackend(): Promise<string | null> {
  loading ??= import('./kernels/webgpu').then(
    () => null,
    (e: Error & { code?: string }) =>
      e.code === 'MODULE_NOT_FOUND' && e.message.includes(WEBGPU_PEER)
        ? `${WEBGPU_PEER} is not installed (${installCommand([WEBGPU_PEER])})`
        : `${WEBGPU_PEER} could not be loaded: ${e.message.split('\n')[0]}`,
  );
  return loading;
}
