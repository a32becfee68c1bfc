/**
 * The page side of the service-worker runtime (service_worker.ts): the worker's page API served
 * over a MessageChannel. The page starts the backend and loads the model; from then on any
 * `<img src=".../wgan-edge/sample?seed=7">` under the worker's scope is a generated sample.
 *
 * The browser stops an idle service worker (Chromium: after 30 s without events), and a
 * channel to a stopped worker answers nothing. Each connection has the worker hold a Web Lock
 * for its life (liveness.ts); once the lock is free, the next call (and any call left waiting)
 * connects again, which starts the worker, and runs there. The model the page loaded is still
 * there: the worker keeps it in the Cache API.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer, RuntimeError } from './errors';
import { canWatchLiveness, watchLifeLock } from './liveness';
import type {
  BackendReport,
  ModelSource,
  ModelSummary,
  SampleRequest,
  SampleResult,
  ServiceWorkerPageApi,
} from './protocol';
import { CONNECT_MESSAGE } from './protocol';
import { withAbsoluteUrl } from './transfer';

export interface ServiceWorkerRuntime {
  /** The backend the service worker runs (the first connection's choice). */
  info(): Promise<BackendReport>;
  /** Loads a model for the sample URL to draw from (a ModelSource, as for createRuntime's load). */
  load(source: ModelSource): Promise<ModelSummary>;
  sample(request: SampleRequest): Promise<SampleResult>;
  /** Closes this page's channel; the service worker keeps its model for the sample URL. */
  close(): void;
}

/** One channel to the worker, for as long as that worker runs. */
interface Connection {
  remote: Comlink.Remote<ServiceWorkerPageApi>;
  /** Rejects with 'worker-died' once the worker has stopped. */
  stopped: Promise<never>;
  close(): void;
}

/**
 * Connects to an active service worker running workers/gan.sw.ts and starts its backend, with
 * the options in its script URL (registerServiceWorker sets them).
 */
export async function connectServiceWorker(worker: ServiceWorker): Promise<ServiceWorkerRuntime> {
  installErrorTransfer();
  let connection = connect(worker);
  await connection;

  /** Runs `call` on the running worker; on one that stopped, once more after connecting again. */
  const run = async <T>(call: Call<T>): Promise<T> => {
    const current = connection;
    try {
      return await callOn(await current, call);
    } catch (e) {
      if (!(e instanceof RuntimeError && e.code === 'worker-died')) throw e;
      // The first call to see the stop connects again; the others wait for that connection.
      if (connection === current) {
        (await current).close();
        connection = connect(worker);
      }
      return callOn(await connection, call);
    }
  };

  return {
    info: () => run((remote) => remote.info()),
    // Copied, not transferred: a call to a worker that has just stopped is sent again, and a
    // transfer would have emptied the page's arrays the first time.
    load: (source) => run((remote) => remote.load(withAbsoluteUrl(source))),
    sample: (request) => run((remote) => remote.sample(request) as Promise<SampleResult>),
    close() {
      void connection.then(
        (c) => c.close(),
        () => {},
      );
    },
  };
}

type Call<T> = (remote: Comlink.Remote<ServiceWorkerPageApi>) => Promise<T>;

function callOn<T>(connection: Connection, call: Call<T>): Promise<T> {
  return Promise.race([call(connection.remote), connection.stopped]);
}

async function connect(worker: ServiceWorker): Promise<Connection> {
  // A replaced worker takes no messages: the wait for its answer would never end.
  if (worker.state === 'redundant') {
    throw new RuntimeError(
      'the service worker was replaced by a newer version: connect to the active one (registration.active)',
      'worker-died',
    );
  }
  const { port1, port2 } = new MessageChannel();
  // A message to the worker itself starts it if the browser has stopped it.
  worker.postMessage({ type: CONNECT_MESSAGE }, [port2]);
  const remote = Comlink.wrap<ServiceWorkerPageApi>(port1);
  const lifeLockName = canWatchLiveness() ? `wgan-edge-service-worker-${crypto.randomUUID()}` : undefined;
  const report = await remote.init(lifeLockName);
  if (report.warning != null) console.warn(report.warning);
  let stop = () => {};
  const stopped = new Promise<never>((_, reject) => {
    stop = () => reject(new RuntimeError('the service worker stopped before answering', 'worker-died'));
  });
  stopped.catch(() => {});
  const stopWatching = lifeLockName != null ? watchLifeLock(lifeLockName, stop) : () => {};
  return {
    remote,
    stopped,
    close() {
      stopWatching();
      remote[Comlink.releaseProxy]();
      port1.close();
    },
  };
}
