/**
 * WebGPU for browsers and bundlers: tfjs-backend-webgpu and this project's kernels for it,
 * loaded with this module. The Node builds (dist/index.node.cjs, dist/cli.cjs) take
 * webgpu.node.ts in its place (rollup.config.mjs), where it is an optional peer loaded only
 * once a WebGPU API is there.
 */
import './kernels/webgpu';

/** Loads tfjs-backend-webgpu if it is not loaded yet; why it cannot be, or null. Here it always is. */
export async function loadWebGpuBackend(): Promise<string | null> {
  return null;
}
