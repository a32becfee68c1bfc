/** The runtime worker as the test server serves it (vite compiles the TypeScript module). */
export function startWorker(): Worker {
  return new Worker(new URL('../../workers/gan.worker.ts', import.meta.url), { type: 'module' });
}
