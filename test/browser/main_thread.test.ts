// The point of the worker: the page stays responsive while it trains and samples. A long task
// (PerformanceObserver 'longtask') is any main-thread task over 50 ms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archConfig } from '../../src/models/config';
import { createRuntime, type Runtime } from '../../src/runtime/client';
import { PROGRESS_INTERVAL_MS, type TrainRequest } from '../../src/runtime/protocol';
import { WASM_FILES } from './wasm_files';
import { startWorker } from './worker_url';

/** WGAN-GP on wasm until TRAIN_MS have passed: the 20 s. */
const BUSY_RUN: TrainRequest = {
  loss: 'wgan-gp',
  arch: archConfig('mlp', { hidden: 64, depth: 3 }),
  data: { toy: '8gaussians' },
  seed: 1,
  steps: 1_000_000,
  batchSize: 128,
};
const TRAIN_MS = 20_000;
const SAMPLE_ROUNDS = 8;
/** What the browser counts as a long task. */
const LONG_TASK_MS = 50;

/** Starts collecting long tasks; the returned function stops and gives their durations. */
function watchLongTasks(): () => Promise<number[]> {
  const durations: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) durations.push(entry.duration);
  });
  observer.observe({ type: 'longtask' });
  return async () => {
    // Entries are delivered after the task ends: let the event loop turn before reading.
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const entry of observer.takeRecords()) durations.push(entry.duration);
    observer.disconnect();
    return durations;
  };
}

describe('the main thread while the worker works', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await createRuntime({ worker: startWorker(), backend: 'wasm', wasmPaths: WASM_FILES });
  });
  afterAll(() => runtime.dispose());

  it('the long-task observer works here: it sees a deliberate 80 ms task', async () => {
    expect(PerformanceObserver.supportedEntryTypes).toContain('longtask');
    const stop = watchLongTasks();
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        const until = performance.now() + 80;
        while (performance.now() < until);
        resolve();
      }, 0),
    );
    const durations = await stop();
    expect(durations.some((d) => d >= 80)).toBe(true);
  });

  it(`no main-thread task over ${LONG_TASK_MS} ms while the worker trains and samples`, async () => {
    const stop = watchLongTasks();
    const started = performance.now();
    let updates = 0;
    const result = await runtime.train(BUSY_RUN, {
      onProgress: () => updates++,
      signal: AbortSignal.timeout(TRAIN_MS),
    });
    for (let round = 0; round < SAMPLE_ROUNDS; round++) {
      await runtime.sample({ n: 256, seed: round, format: 'float32' });
      await runtime.interpolate({ from: round, to: round + 1, steps: 64 });
    }
    const busyMs = performance.now() - started;
    const durations = await stop();
    console.log(
      `worker busy ${busyMs.toFixed(0)} ms, ${result.stepsRun} steps, ${updates} progress updates, long tasks: [${durations.map((d) => d.toFixed(0))}]`,
    );
    expect(result.stopped).toBe('aborted');
    expect(result.stepsRun).toBeGreaterThan(0);
    // Throttled: at most one update per interval, plus the last step's.
    expect(updates).toBeLessThanOrEqual(Math.ceil(busyMs / PROGRESS_INTERVAL_MS) + 1);
    expect(updates).toBeGreaterThan(0);
    expect(durations).toEqual([]);
  });
});
