/**
 * The runtime in a service worker: GET <scope>wgan-edge/sample?seed=..&n=..&truncation=..&label=..
 * answers with a PNG drawn by a generator, so an <img> tag can show samples with no page
 * script. Which generator:
 * - named in the query: &model=<model folder URL>, &cache=<name> or &indexedDb=<name>. The
 *   worker loads it on first use, so it survives the browser stopping an idle service worker. It keeps a copy of each model folder fetched by URL
 *   (URL_MODEL_COPIES_CACHE) and of the .wasm binary (WASM_COPY_CACHE) in the Cache API, and
 *   reads those copies when the network is down;
 * - else the one a page loaded over a MessageChannel (connectServiceWorker). The worker keeps
 *   it in the Cache API (PAGE_MODEL_CACHE) too, so it also outlives the worker.
 * The backend starts with the options in the worker's own script URL (gan.sw.js?backend=wasm&
 * wasmPaths=..., which registerServiceWorker writes): the one place they are set, read again at
 * every start. The worker holds one model at a time and serves one request at a time: a request that needs
 * another model than the last one loads it (a model fetched by URL from memory, after its
 * first fetch, for the last RECENT_URL_MODELS of them).
 */
import * as Comlink from 'comlink';
import { BACKEND_PREFERENCES, type BackendPreference } from '../backend/init';
import type { ModelContents } from '../io/codec';
import { loadModelFromCache, saveModelToCache } from '../io/storage_cache';
import { ModelStorageError } from '../io/storage_files';
import { loadModelFromUrl } from '../io/storage_url';
import { ConfigError } from '../utils/errors';
import { installErrorTransfer, RuntimeError } from './errors';
import { RuntimeHost } from './host';
import { oneAtATime, type OneAtATime } from './one_at_a_time';
import {
  CONNECT_MESSAGE,
  SAMPLE_PATH,
  type ModelSource,
  type RuntimeBackendOptions,
  type SampleRequest,
  type ServiceWorkerPageApi,
} from './protocol';

/** The Cache API cache where the worker keeps a copy of each model it fetched by URL, for offline use. */
export const URL_MODEL_COPIES_CACHE = 'wgan-edge-url-models';
/** Where it keeps a copy of the .wasm binary: the browser may restart it offline (wasm_copy.ts). */
export const WASM_COPY_CACHE = 'wgan-edge-wasm';
/** Where it keeps the model a page loaded, under PAGE_MODEL_NAME: it outlives the worker. */
export const PAGE_MODEL_CACHE = 'wgan-edge-page-model';
const PAGE_MODEL_NAME = 'page';

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
  location: { href: string };
  registration: { scope: string };
  clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export function serveRuntimeInServiceWorker(
  scope: ServiceWorkerScope = self as unknown as ServiceWorkerScope,
): RuntimeHost {
  installErrorTransfer();
  const host = new RuntimeHost({ wasmCache: WASM_COPY_CACHE });
  const samplePath = new URL(SAMPLE_PATH, scope.registration.scope).pathname;
  const backendOptions = parseBackendOptions(new URL(scope.location.href).searchParams);
  const slot = modelSlot(host, backendOptions);
  const serve = oneAtATime();

  // Take over at once: the pages that registered us can fetch samples without a reload.
  scope.addEventListener('install', (event) => event.waitUntil(scope.skipWaiting()));
  scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));

  const page: ServiceWorkerPageApi = {
    init: (lifeLockName) => host.init(backendOptions, lifeLockName),
    info: () => host.info(),
    load: (source) =>
      serve(async () => {
        const summary = await host.load(source);
        await saveModelToCache(PAGE_MODEL_NAME, await host.exportModel(false), 'float32', {
          cacheName: PAGE_MODEL_CACHE,
        });
        slot.holds(PAGE_MODEL);
        return summary;
      }),
    sample: (request) => serve(() => slot.use(PAGE_MODEL).then(() => host.sample(request))),
  };
  scope.addEventListener('message', (event) => {
    if (event.data?.type === CONNECT_MESSAGE && event.ports[0] != null) Comlink.expose(page, event.ports[0]);
  });

  scope.addEventListener('fetch', (event) => {
    const url = new URL(event.request.url);
    if (event.request.method !== 'GET' || url.pathname !== samplePath) return;
    event.respondWith(samplePng(host, slot, serve, url));
  });
  return host;
}

/** A model the worker can load by itself: from its sample URL, or the one a page loaded. */
interface KnownModel {
  /** Equal keys: the same model. */
  key: string;
  read(): Promise<ModelSource>;
}

/** The model a page loaded: kept in the Cache API, so it outlives the worker. */
const PAGE_MODEL: KnownModel = {
  key: 'page',
  read: () =>
    loadModelFromCache(PAGE_MODEL_NAME, { cacheName: PAGE_MODEL_CACHE }).catch((e) => {
      if (e instanceof ModelStorageError && e.code === 'not-found') {
        throw new RuntimeError(
          'no model is loaded: a page must load one (connectServiceWorker, then load), or the URL name one (&model=, &cache=, &indexedDb=)',
          'no-model',
        );
      }
      throw e;
    }),
};

function namedModel(source: ModelSource): KnownModel {
  return { key: JSON.stringify(source), read: async () => ('url' in source ? recentUrlModel(source.url) : source) };
}

/**
 * Model folders fetched lately by URL, the newest last: <img> tags that alternate among a few
 * models load each from memory after its first fetch, not over the network every time. For as
 * long as this worker lives, as a model kept loaded is.
 */
const RECENT_URL_MODELS = 4;
const recentUrlModels = new Map<string, ModelContents>();

async function recentUrlModel(url: string): Promise<ModelContents> {
  const model = recentUrlModels.get(url) ?? (await readUrlModel(url));
  recentUrlModels.delete(url);
  recentUrlModels.set(url, model);
  if (recentUrlModels.size > RECENT_URL_MODELS) recentUrlModels.delete(recentUrlModels.keys().next().value!);
  return model;
}

/**
 * The host holds one model at a time: use() loads the one a request needs, unless it is the
 * one loaded last and nothing replaced it since. The backend starts on first need. Used one
 * request at a time (oneAtATime).
 */
function modelSlot(host: RuntimeHost, backendOptions: RuntimeBackendOptions) {
  let loaded: { key: string; version: number } | null = null;
  const holds = (model: KnownModel) => {
    loaded = { key: model.key, version: host.modelVersion };
  };
  const use = async (model: KnownModel) => {
    if (loaded?.key === model.key && loaded.version === host.modelVersion) return;
    loaded = null;
    await host.init(backendOptions);
    await host.load(await model.read());
    holds(model);
  };
  return { use, holds };
}

/**
 * A model folder named by URL, fetched; the copy kept from an earlier fetch when the fetch
 * fails for want of a network (an HTTP error means the server answered: no copy then).
 */
async function readUrlModel(url: string): Promise<ModelContents> {
  const copies = { cacheName: URL_MODEL_COPIES_CACHE };
  let model: ModelContents;
  try {
    model = await loadModelFromUrl(url, { networks: ['generator'] });
  } catch (e) {
    if (!(e instanceof ModelStorageError && e.code === 'network')) throw e;
    // No copy either: the network error says more than 'holds no model'.
    return loadModelFromCache(url, copies).catch(() => Promise.reject(e));
  }
  await saveModelToCache(url, model, 'float32', copies);
  return model;
}

async function samplePng(
  host: RuntimeHost,
  slot: ReturnType<typeof modelSlot>,
  serve: OneAtATime,
  url: URL,
): Promise<Response> {
  try {
    const source = parseModelQuery(url);
    const request = { ...parseSampleQuery(url.searchParams), format: 'png' as const };
    const result = await serve(() =>
      slot.use(source == null ? PAGE_MODEL : namedModel(source)).then(() => host.sample(request)),
    );
    if (result.format !== 'png') throw new Error(`expected a PNG, the runtime made '${result.format}'`);
    return new Response(result.png as Uint8Array<ArrayBuffer>, {
      headers: { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' },
    });
  } catch (e) {
    const error = e as Error & { code?: string };
    const unavailable = error.code === 'no-model' || error.code === 'not-started';
    // A named model that cannot be fetched; a fetched but corrupt one stays a 500.
    const notFound = error.name === 'ModelStorageError';
    const status =
      error.code === 'bad-request' || error instanceof ConfigError ? 400 : unavailable ? 503 : notFound ? 404 : 500;
    return new Response(`${error.name}: ${error.message}\n`, {
      status,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
}

/**
 * &model=<url> (relative to the sample URL), &cache=<name> or &indexedDb=<name> -> where the
 * model is; null when none is named.
 */
export function parseModelQuery(sampleUrl: URL): ModelSource | null {
  const query = sampleUrl.searchParams;
  const named = (['model', 'cache', 'indexedDb'] as const).filter((key) => query.has(key));
  if (named.length > 1)
    throw new RuntimeError(`sample URL: name one model source, got ${named.join(' and ')}`, 'bad-request');
  const value = named.length === 1 ? query.get(named[0])! : null;
  if (value == null) return null;
  if (value === '') throw new RuntimeError(`sample URL: '${named[0]}' is empty`, 'bad-request');
  if (named[0] === 'model') return { url: new URL(value, sampleUrl).href };
  return named[0] === 'cache' ? { cache: value } : { indexedDb: value };
}

/**
 * The service worker script's own query: ?backend=wasm&wasmPaths=/assets/ (both optional);
 * wasmPaths is a folder/URL prefix, or a JSON file map ({"tfjs-backend-wasm-simd.wasm": url, ...}).
 */
export function parseBackendOptions(query: URLSearchParams): RuntimeBackendOptions {
  const backend = query.get('backend') ?? 'auto';
  if (!BACKEND_PREFERENCES.includes(backend as BackendPreference)) {
    throw new RuntimeError(
      `service worker URL: backend must be one of ${BACKEND_PREFERENCES.join(', ')}, got '${backend}'`,
      'bad-request',
    );
  }
  const wasmPaths = query.get('wasmPaths') ?? undefined;
  return {
    backend: backend as BackendPreference,
    wasmPaths: wasmPaths?.startsWith('{') ? parseFileMap(wasmPaths) : wasmPaths,
  };
}

function parseFileMap(text: string): Record<string, string> {
  let map: unknown;
  try {
    map = JSON.parse(text);
  } catch (e) {
    throw new RuntimeError(`service worker URL: wasmPaths is not valid JSON (${(e as Error).message})`, 'bad-request');
  }
  if (typeof map !== 'object' || map == null || Object.values(map).some((url) => typeof url !== 'string')) {
    throw new RuntimeError(
      `service worker URL: wasmPaths must map .wasm file names to URLs, got ${text}`,
      'bad-request',
    );
  }
  return map as Record<string, string>;
}

/** ?n=4&seed=7&truncation=0.7&label=3 -> a sample request; a value that is not a number is a 400 (so is a label the model refuses). */
export function parseSampleQuery(query: URLSearchParams): Omit<SampleRequest, 'format'> {
  const number = (name: string): number | undefined => {
    const text = query.get(name);
    if (text == null || text === '') return undefined;
    const value = Number(text);
    if (!Number.isFinite(value))
      throw new RuntimeError(`sample URL: '${name}' must be a number, got '${text}'`, 'bad-request');
    return value;
  };
  return {
    n: number('n') ?? DEFAULT_QUERY.n,
    seed: number('seed') ?? DEFAULT_QUERY.seed,
    truncation: number('truncation'),
    label: number('label'),
  };
}
