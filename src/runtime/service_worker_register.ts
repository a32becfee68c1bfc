/**
 * `wgan-edge/service-worker`: registers the runtime's service worker from an app, in one call.
 * The worker script and the .wasm binaries it runs on are named here by literal
 * `new URL('./file', import.meta.url)`, so an app's bundler (Vite, webpack) emits them;
 * their URLs go into the script URL's query, the one place the worker reads its options from,
 * at every start (the browser stops and restarts an idle service worker).
 *
 * @module wgan-edge/service-worker
 */
import { RuntimeError } from './errors';
import { SAMPLE_PATH, type RuntimeBackendOptions } from './protocol';
import { connectServiceWorker, type ServiceWorkerRuntime } from './service_worker_client';

export { connectServiceWorker, type ServiceWorkerRuntime };

export interface ServiceWorkerOptions {
  /**
   * The pages the worker serves (a service worker sees the requests of the pages in its scope
   * only): by default the page's own folder. A bundler puts the script under /assets/, and a
   * scope above the script's folder needs the server to send `Service-Worker-Allowed: /` (or
   * the scope) with it: the one header to add beside COOP/COEP.
   */
  scope?: string;
  backend?: RuntimeBackendOptions['backend'];
}

/** The query of a sample URL: n images (one grid PNG) from a seed; a conditional model's class as `label`. */
export interface SampleQuery {
  n?: number;
  seed?: number;
  truncation?: number;
  label?: number;
}

export interface RuntimeServiceWorker {
  registration: ServiceWorkerRegistration;
  /** Loads models into the worker and samples through it (see connectServiceWorker). */
  runtime: ServiceWorkerRuntime;
  /** An absolute URL under the worker's scope whose response is a PNG of samples: an <img> src. */
  sampleUrl(query?: SampleQuery): string;
}

/** Registers the worker, waits until it is active and connects to it. */
export async function registerServiceWorker(options: ServiceWorkerOptions = {}): Promise<RuntimeServiceWorker> {
  if (typeof navigator === 'undefined' || navigator.serviceWorker == null) {
    throw new RuntimeError(
      'registerServiceWorker needs service workers: a page served over HTTPS or from localhost',
      'worker-start-failed',
    );
  }
  const script = new URL('./gan.sw.js', import.meta.url);
  script.searchParams.set('backend', options.backend ?? 'auto');
  // A service worker runs WASM on one thread: the plain and SIMD builds are all it may fetch.
  script.searchParams.set(
    'wasmPaths',
    JSON.stringify({
      'tfjs-backend-wasm.wasm': new URL('./tfjs-backend-wasm.wasm', import.meta.url).href,
      'tfjs-backend-wasm-simd.wasm': new URL('./tfjs-backend-wasm-simd.wasm', import.meta.url).href,
    }),
  );
  const scope = new URL(options.scope ?? './', location.href);
  let registration: ServiceWorkerRegistration;
  try {
    registration = await navigator.serviceWorker.register(script.href, { scope: scope.href });
  } catch (e) {
    const folder = new URL('./', script).pathname;
    const fix = scope.pathname.startsWith(folder)
      ? ''
      : `: the scope ${scope.pathname} lies above the script's folder ${folder}, so the server must send the header 'Service-Worker-Allowed: ${scope.pathname}' with it`;
    throw new RuntimeError(
      `the runtime's service worker could not be registered from ${script.pathname}${fix} (${(e as Error).message})`,
      'worker-start-failed',
    );
  }
  const active = await activeWorker(registration);
  await controlled(active, registration.scope);
  const runtime = await connectServiceWorker(active);
  const sampleBase = new URL(SAMPLE_PATH, registration.scope);
  return {
    registration,
    runtime,
    sampleUrl(query = {}) {
      const url = new URL(sampleBase);
      for (const [name, value] of Object.entries(query)) if (value != null) url.searchParams.set(name, String(value));
      return url.href;
    },
  };
}

/** Resolves once `worker` controls this page, when the page lies in its scope (it claims its pages on activating). */
async function controlled(worker: ServiceWorker, scope: string): Promise<void> {
  if (!location.href.startsWith(scope)) return;
  while (navigator.serviceWorker.controller?.scriptURL !== worker.scriptURL) {
    await new Promise((resolve) =>
      navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
    );
  }
}

/** The registration's active worker, once the one being installed (if any) has activated. */
async function activeWorker(registration: ServiceWorkerRegistration): Promise<ServiceWorker> {
  const pending = registration.installing ?? registration.waiting;
  if (pending != null) {
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pending.state === 'activated') resolve();
        else if (pending.state === 'redundant')
          reject(
            new RuntimeError(
              "the runtime's service worker failed to install (see the console for its error)",
              'worker-start-failed',
            ),
          );
      };
      pending.addEventListener('statechange', check);
      check();
    });
  }
  if (registration.active == null)
    throw new RuntimeError(
      "the runtime's service worker has no active worker after registering",
      'worker-start-failed',
    );
  return registration.active;
}
