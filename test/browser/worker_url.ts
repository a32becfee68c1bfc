/** The runtime worker as the test server serves it (vite compiles the TypeScript module). */
export function startWorker(): Worker {
  return new Worker(new URL('../../workers/gan.worker.ts', import.meta.url), { type: 'module' });
}

/** The same module script by URL, for createRuntime({ worker: url }). */
export function workerUrl(): URL {
  return new URL('/workers/gan.worker.ts', location.href);
}
