/**
 * WASM threads in Node: one WGAN-GP generator iteration (the training suite's, dcgan28 DIM 64,
 * batch 64) with 1 and with 2 XNNPACK threads, taking turns in one process. The backend starts
 * threaded (initBackend({ threads: 2 }), see src/backend/node_threads.ts) and each run first
 * gives it a pool of its case's size, so both cases run the threaded binary; the default
 * single-threaded binary runs the kernels at the same speed as its 1-thread pool (README,
 * Performance). Also the results of one iteration from the same start with 1 and 2 threads.
 */
import { cpus, loadavg } from 'node:os';
import { expect, it } from 'vitest';
import '../src/index';
import { initBackend } from '../src/backend/init';
import { switchWasmThreads } from '../src/backend/node_threads';
import type { Trainer } from '../src/train/trainer';
import { AUTHORS_DIM, ITERATION_BATCH, ITERATION_CRITIC_STEPS, iterationTrainer, runIteration } from './gan_iteration';
import { rateEntry, saveSuite, saveTable, timeRuns, type RunCounts } from './harness';

const SUITE = 'threads';
const THREADS = [1, 2] as const;
const COUNTS: RunCounts = { warmup: 1, runs: 3 };

async function weights(trainer: Trainer): Promise<Float32Array[]> {
  const nets = [trainer.generator, trainer.critic];
  return Promise.all(
    nets.flatMap((net) => Object.values(net.params).map(async (v) => (await v.data()) as Float32Array)),
  );
}

it('WGAN-GP iteration, WASM 1 thread vs 2 threads', async () => {
  const report = await initBackend({ backend: 'wasm', threads: 2 });
  if (report.threads < 2) {
    console.warn(`bench threads: the threaded WASM build did not start (${report.reason}); skipped.`);
    return;
  }
  const load = loadavg()[0];
  const trainers = THREADS.map(() => iterationTrainer(AUTHORS_DIM));
  let times: number[][];
  let maxDiff = 0;
  try {
    // Same seed, same data: one iteration each must give the same weights.
    for (const [i, n] of THREADS.entries()) {
      switchWasmThreads(n);
      await runIteration(trainers[i]);
    }
    const [one, two] = await Promise.all(trainers.map(weights));
    one.forEach((w, i) => w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - two[i][j])))));
    times = await timeRuns(
      THREADS.map((n, i) => ({
        counts: COUNTS,
        once: async () => {
          expect(switchWasmThreads(n)).toBe(n);
          await runIteration(trainers[i]);
        },
      })),
    );
  } finally {
    trainers.forEach((t) => t.dispose());
  }
  expect(maxDiff).toBeLessThanOrEqual(1e-5);

  const entries = THREADS.map((n, i) =>
    rateEntry(
      {
        suite: SUITE,
        name: `WGAN-GP iteration, dcgan28 DIM ${AUTHORS_DIM}, batch ${ITERATION_BATCH}, ${n} thread${n === 1 ? '' : 's'}`,
        backend: 'wasm',
        unit: 'it/s',
        detail: {
          dim: AUTHORS_DIM,
          batch: ITERATION_BATCH,
          criticSteps: ITERATION_CRITIC_STEPS,
          threads: n,
          threadedBinary: true,
          loadAverage1m: load,
        },
      },
      1,
      times[i],
    ),
  );
  saveSuite(SUITE, entries);
  // Runs took turns, so run k of each case saw about the same load.
  const ratios = times[0].map((t1, k) => t1 / times[1][k]).sort((a, b) => a - b);
  const fmt = (ms: number) => (ms / 1000).toFixed(1);
  saveTable({
    suite: SUITE,
    title: `WASM threads in Node: 2-thread speed-up on the WGAN-GP iteration (DIM ${AUTHORS_DIM}, batch ${ITERATION_BATCH})`,
    columns: [
      '1 thread s (runs)',
      '2 threads s (runs)',
      'speed-up min',
      'median',
      'max',
      'max |w1 - w2| after 1 iteration',
    ],
    rows: [
      [
        times[0].map(fmt).join(', '),
        times[1].map(fmt).join(', '),
        ratios[0].toFixed(2),
        ratios[ratios.length >> 1].toFixed(2),
        ratios[ratios.length - 1].toFixed(2),
        maxDiff.toExponential(1),
      ],
    ],
    notes: [
      `${cpus().length} cores, load average ${load.toFixed(1)} when the suite started: on a loaded machine the second thread waits for a core.`,
    ],
  });
});
