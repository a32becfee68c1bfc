import type { BackendReport } from '../../src/runtime/protocol';

/** The browser commands vitest.config.ts defines for the browser project, as tests call them. */
declare module 'vitest/browser' {
  interface BrowserCommands {
    /** Every request of the browser context (pages, workers, service workers) fails as offline, until called with false. */
    setNetworkOff: (off: boolean) => Promise<void>;
    /** Stops the running service workers, as the browser stops idle ones: how many it stopped. */
    stopServiceWorkers: () => Promise<number>;
    /** How many requests for this path (no query) the test server has seen so far. */
    requestCount: (path: string) => Promise<number>;
    /** Starts the runtime worker on a page served without COOP/COEP: what it reported (or why it failed) and the .wasm files fetched. */
    /** The ten MNIST test images of `digit` the bench picks, as PNGs (base64); starts `wgan-edge finetune` on them in Node (WASM, one thread). */
    startNodeFineTune: (digit: number) => Promise<string[]>;
    /** That run's model folder (files as base64) and the CLI's summary line. */
    nodeFineTuneResult: () => Promise<{ files: Record<string, string>; summary: Record<string, unknown> }>;
    notIsolatedWorkerReport: () => Promise<
      ({ pageCrossOriginIsolated: boolean; worker: BackendReport } | { error: string }) & { wasmFilesFetched: string[] }
    >;
  }
}
