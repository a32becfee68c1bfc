/**
 * WASM threads in Chromium, paired: two runtime workers in one cross-origin isolated page, one
 * asked for 1 thread and one for 2, taking turns run by run (timeRuns). Each samples the shipped
 * mnist generator (DIM 32) at batch 1, 16 and 64, and fine-tunes it for 4 steps on 8 images
 * (batch 8, the demo's fine-tune), so the 2-thread speed-up of a dedicated worker, where the
 * page's own thread is free, is measured where the runtime's users meet it.
 * Runs under bench/vitest.browser.config.ts; `npm run bench -- browser` merges its entries.
 */
import { expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { createRuntime, type Runtime } from '../../src/runtime/client';
import { patternImages } from '../../test/browser/toy_models';
import { WASM_FILES } from '../../test/browser/wasm_files';
import { startWorker } from '../../test/browser/worker_url';
import { rateEntry, timeRuns, type BenchEntry, type RunCounts } from '../harness';

const SUITE = 'browser-threads';
const MNIST_URL = '/models/mnist/';
const BATCHES = [1, 16, 64];
const FINE_TUNE = { steps: 4, images: 8 };
const COUNTS: RunCounts = { warmup: 1, runs: 5 };

it('WASM 1 thread against 2 threads in runtime workers: sampling and a fine-tune', async () => {
  expect(crossOriginIsolated).toBe(true);
  const runtimes: Runtime[] = [];
  try {
    for (const threads of [1, 2]) {
      const runtime = await createRuntime({ worker: startWorker(), backend: 'wasm', threads, wasmPaths: WASM_FILES });
      runtimes.push(runtime);
      expect((await runtime.info()).threads).toBe(threads);
      await runtime.load({ url: MNIST_URL });
    }
    const sampling = BATCHES.flatMap((n) =>
      runtimes.map((runtime) => ({ counts: COUNTS, once: () => runtime.sample({ n, seed: 1 }).then(() => {}) })),
    );
    const fineTune = runtimes.map((runtime) => ({
      counts: COUNTS,
      once: async () => {
        await runtime.load({ url: MNIST_URL });
        const data = { images: patternImages(FINE_TUNE.images) };
        await runtime.train({
          loss: 'wgan-gp',
          fromLoadedModel: true,
          seed: 1,
          steps: FINE_TUNE.steps,
          batchSize: FINE_TUNE.images,
          data,
        });
      },
    }));
    const times = await timeRuns([...sampling, ...fineTune]);
    const entries: BenchEntry[] = [];
    BATCHES.forEach((n, b) =>
      [1, 2].forEach((threads, t) =>
        entries.push(
          rateEntry(
            {
              suite: SUITE,
              name: `sample mnist (DIM 32), batch ${n}, ${threads} thread${threads > 1 ? 's' : ''}`,
              backend: 'wasm (chromium)',
              unit: 'images/s',
              detail: { batch: n, threads },
            },
            n,
            times[b * 2 + t],
          ),
        ),
      ),
    );
    [1, 2].forEach((threads, t) =>
      entries.push(
        rateEntry(
          {
            suite: SUITE,
            name: `fine-tune mnist ${FINE_TUNE.steps} steps on ${FINE_TUNE.images} images (load included), ${threads} thread${threads > 1 ? 's' : ''}`,
            backend: 'wasm (chromium)',
            unit: 'runs/s',
            detail: { threads, ...FINE_TUNE },
          },
          1,
          times[BATCHES.length * 2 + t],
        ),
      ),
    );
    const file = await commands.saveBenchSuite(SUITE, entries);
    console.log(`bench ${SUITE}: ${entries.map((e) => `${e.name} ${e.medianMs.toFixed(1)} ms`).join('; ')} -> ${file}`);
  } finally {
    runtimes.forEach((runtime) => runtime.dispose());
  }
});
