/**
 * The page side of the service-worker runtime (service_worker.ts): a RuntimeHost served over a
 * MessageChannel. The page starts the backend and loads the model; from then on any
 * `<img src=".../wgan-edge/sample?seed=7">` under the worker's scope is a generated sample.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from './errors';
import type { RuntimeHost } from './host';
import { sendableSource } from './transfer';
import {
  CONNECT_MESSAGE,
  type BackendReport,
  type ModelSource,
  type ModelSummary,
  type RuntimeBackendOptions,
  type SampleRequest,
  type SampleResult,
} from './protocol';

export interface ServiceWorkerRuntime {
  /** The backend the service worker runs (the first connection's choice). */
  info(): Promise<BackendReport>;
  /** Loads a model for the sample URL to draw from (a ModelSource, as for createRuntime's load). */
  load(source: ModelSource): Promise<ModelSummary>;
  sample(request: SampleRequest): Promise<SampleResult>;
  /** Closes this page's channel; the service worker keeps its model for the sample URL. */
  close(): void;
}

/**
 * Connects to an active service worker running workers/gan.sw.ts and starts its backend.
 * wasmPaths must be absolute URLs or a folder the worker can fetch.
 */
export async function connectServiceWorker(worker: ServiceWorker, options: RuntimeBackendOptions = {}): Promise<ServiceWorkerRuntime> {
  installErrorTransfer();
  const { port1, port2 } = new MessageChannel();
  worker.postMessage({ type: CONNECT_MESSAGE }, [port2]);
  const remote = Comlink.wrap<RuntimeHost>(port1);
  await remote.init(options);
  return {
    info: () => remote.info(),
    load: (source) => remote.load(sendableSource(source)),
    sample: (request) => remote.sample(request) as Promise<SampleResult>,
    close() {
      remote[Comlink.releaseProxy]();
      port1.close();
    },
  };
}
