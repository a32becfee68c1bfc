/**
 * The three tfjs WASM binaries as URLs served by the test server: the file map that
 * createRuntime/initBackend take as wasmPaths (an app passes its own bundler's URLs).
 */
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';

/** Absolute URLs: a worker resolves relative ones against its own script, not the page. */
export const WASM_FILES: Record<string, string> = {
  'tfjs-backend-wasm.wasm': new URL(wasmUrl, location.href).href,
  'tfjs-backend-wasm-simd.wasm': new URL(wasmSimdUrl, location.href).href,
  'tfjs-backend-wasm-threaded-simd.wasm': new URL(wasmThreadedSimdUrl, location.href).href,
};

/** The folder holding them (the same for all three here): a wasmPaths prefix. */
export const WASM_FOLDER = new URL('.', WASM_FILES['tfjs-backend-wasm.wasm']).href;
