/**
 * The runtime in a service worker: GET <scope>wgan-edge/sample?seed=..&n=..&truncation=..
 * answers with a PNG drawn by the loaded generator, so an <img> tag can show samples with no
 * page script. Pages drive it (start the backend, load a model) with the same RuntimeHost API
 * as the Web Worker, over a MessageChannel (connectServiceWorker in service_worker_client.ts).
 *
 * The model lives in the service worker's memory: the browser may stop an idle service
 * worker, and then it must be loaded again (sample requests answer 503 until it is).
 */
import * as Comlink from 'comlink';
import { installErrorTransfer, RuntimeError } from './errors';
import { RuntimeHost } from './host';
import { CONNECT_MESSAGE, SAMPLE_PATH, type SampleRequest } from './protocol';
/** Defaults of the sample URL's query: one image from seed 0. */
const DEFAULT_QUERY = { n: 1, seed: 0 };

/** Service-worker events, typed here: the DOM lib has no ServiceWorkerGlobalScope. */
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response> | Response): void;
}
interface ServiceWorkerScope {
  registration: { scope: string };
  clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export function serveRuntimeInServiceWorker(scope: ServiceWorkerScope = self as unknown as ServiceWorkerScope): RuntimeHost {
  installErrorTransfer();
  const host = new RuntimeHost();
  const samplePath = new URL(SAMPLE_PATH, scope.registration.scope).pathname;

  // Take over at once: the pages that registered us can fetch samples without a reload.
  scope.addEventListener('install', (event) => event.waitUntil(scope.skipWaiting()));
  scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));

  scope.addEventListener('message', (event) => {
    if (event.data?.type === CONNECT_MESSAGE && event.ports[0] != null) Comlink.expose(host, event.ports[0]);
  });

  scope.addEventListener('fetch', (event) => {
    const url = new URL(event.request.url);
    if (event.request.method !== 'GET' || url.pathname !== samplePath) return;
    event.respondWith(samplePng(host, url.searchParams));
  });
  return host;
}

async function samplePng(host: RuntimeHost, query: URLSearchParams): Promise<Response> {
  try {
    const result = await host.sample({ ...parseSampleQuery(query), format: 'png' });
    if (result.format !== 'png') throw new Error(`expected a PNG, the runtime made '${result.format}'`);
    return new Response(result.png as Uint8Array<ArrayBuffer>, { headers: { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' } });
  } catch (e) {
    const error = e as Error & { code?: string };
    const unavailable = error.code === 'no-model' || error.code === 'not-started';
    const status = error.code === 'bad-request' || error instanceof RangeError ? 400 : unavailable ? 503 : 500;
    return new Response(`${error.name}: ${error.message}\n`, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
}

/** ?n=4&seed=7&truncation=0.7 -> a sample request; a value that is not a number is a 400. */
export function parseSampleQuery(query: URLSearchParams): Omit<SampleRequest, 'format'> {
  const number = (name: string): number | undefined => {
    const text = query.get(name);
    if (text == null || text === '') return undefined;
    const value = Number(text);
    if (!Number.isFinite(value)) throw new RuntimeError(`sample URL: '${name}' must be a number, got '${text}'`, 'bad-request');
    return value;
  };
  return {
    n: number('n') ?? DEFAULT_QUERY.n,
    seed: number('seed') ?? DEFAULT_QUERY.seed,
    truncation: number('truncation'),
  };
}
