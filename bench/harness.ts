/**
 * What every benchmark file uses: timed runs after warm-up, rates with median/min/max, and
 * the hand-over of its results to bench/run.mjs (one JSON file per suite in WGAN_BENCH_OUT).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchEntry {
  suite: string;
  name: string;
  backend: string;
  /** Unit of median/min/max, a rate where higher is better: 'GFLOP/s', 'samples/s', 'it/s'. */
  unit: string;
  median: number;
  min: number;
  max: number;
  /** Median wall time of one run, ms. */
  medianMs: number;
  runs: number;
  /** Shapes and settings, for the JSON reader. */
  detail?: Record<string, unknown>;
}

export interface RunCounts {
  warmup: number;
  runs: number;
}

/** Wall times in ms of `runs` calls of `once` after `warmup` untimed ones; `once` must await its result. */
export async function timeRuns(once: () => Promise<void>, { warmup, runs }: RunCounts): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await once();
    times.push(performance.now() - start);
  }
  return times;
}

function median(sorted: number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A rate entry from run times: `workPerRun` units of work (e.g. GFLOP) done in each run. */
export function rateEntry(
  base: Omit<BenchEntry, 'median' | 'min' | 'max' | 'medianMs' | 'runs'>,
  workPerRun: number,
  timesMs: number[],
): BenchEntry {
  const sorted = [...timesMs].sort((a, b) => a - b);
  const perSecond = (ms: number) => (workPerRun * 1000) / ms;
  const medianMs = median(sorted);
  return {
    ...base,
    median: perSecond(medianMs),
    min: perSecond(sorted[sorted.length - 1]),
    max: perSecond(sorted[0]),
    medianMs,
    runs: sorted.length,
  };
}

/** Hands a suite's entries to bench/run.mjs; outside it (plain vitest) they are only logged. */
export function saveSuite(suite: string, entries: BenchEntry[]): void {
  const outDir = process.env.WGAN_BENCH_OUT;
  if (outDir == null) {
    console.table(entries.map(({ name, backend, unit, median }) => ({ name, backend, unit, median })));
    return;
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${suite}.json`), JSON.stringify(entries, null, 2));
}
