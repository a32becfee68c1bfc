/** The runtime's module Web Worker: serves the page's createRuntime calls through Comlink. */
import { exposeRuntime } from '../src/runtime/host';

// The .wasm binaries beside this script, as literal URLs: an app's bundler (Vite, webpack;
// Rollup with an import-meta-assets plugin) sees them and emits them with the worker. A page's
// wasmPaths overrides them.
exposeRuntime(self as unknown as Worker, {
  wasmPaths: {
    'tfjs-backend-wasm.wasm': new URL('./tfjs-backend-wasm.wasm', import.meta.url).href,
    'tfjs-backend-wasm-simd.wasm': new URL('./tfjs-backend-wasm-simd.wasm', import.meta.url).href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL('./tfjs-backend-wasm-threaded-simd.wasm', import.meta.url).href,
  },
});
