/** Registers the runtime's service worker (workers/gan.sw.ts) for a browser test file. */
import { WASM_FOLDER } from './wasm_files';

/**
 * Registers the worker for the whole origin with WASM as its backend and waits until it
 * controls this page. By default the TypeScript module as the test server compiles it; `path`
 * and `type` name another build of it (the classic dist/gan.sw.js), `wasmFolder` its .wasm files. `testFile` makes the script URL differ per file: re-registering the URL
 * an earlier file unregistered revives that registration without installing a worker, so no
 * activation claims this page and the wait would never end.
 */
export async function registerRuntimeServiceWorker(
  testFile: string,
  {
    path = '/workers/gan.sw.ts',
    type = 'module',
    wasmFolder = WASM_FOLDER,
  }: { path?: string; type?: WorkerType; wasmFolder?: string } = {},
): Promise<ServiceWorkerRegistration> {
  const script = new URL(path, location.href);
  // The worker starts WASM on its own (for model-naming URLs) with the options in its script URL.
  script.search = new URLSearchParams({ backend: 'wasm', wasmPaths: wasmFolder, testFile }).toString();
  const registration = await navigator.serviceWorker.register(script, { type, scope: '/' });
  await navigator.serviceWorker.ready;
  if (navigator.serviceWorker.controller?.scriptURL !== script.href) {
    await new Promise((resolve) =>
      navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
    );
  }
  return registration;
}
