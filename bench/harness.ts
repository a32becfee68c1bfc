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

/**
 * Wall times in ms of each case's timed runs, after its untimed warm-up runs. The cases take
 * turns run by run, so that a change in the machine's load hits them alike and their ratios
 * hold. Each `once` must await its result (e.g. `await t.data()`). A case that runs elsewhere
 * (a worker thread) may time itself there and resolve to its own ms, which then counts instead
 * of the wall time around the hand-over.
 */
export async function timeRuns(
  cases: { once: () => Promise<void | number>; counts: RunCounts }[],
): Promise<number[][]> {
  const rounds = Math.max(...cases.map(({ counts }) => counts.warmup + counts.runs));
  const times: number[][] = cases.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, { once, counts }] of cases.entries()) {
      // A case with fewer runs starts later: the last rounds hold every case's timed runs.
      const first = rounds - counts.warmup - counts.runs;
      if (round < first) continue;
      const start = performance.now();
      const ownMs = await once();
      if (round >= first + counts.warmup) times[i].push(typeof ownMs === 'number' ? ownMs : performance.now() - start);
    }
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

/** Figures that are not rates (a profile, memory over time, ratios): printed as their own table. */
export interface BenchTable {
  suite: string;
  title: string;
  columns: string[];
  rows: (string | number)[][];
  /** Lines printed under the table (labels, caveats). */
  notes?: string[];
}

/** Hands a table to bench/run.mjs (file `<suite>.<n>.table.json`); outside it the table is only logged. */
export function saveTable(table: BenchTable, index = 0): void {
  const outDir = process.env.WGAN_BENCH_OUT;
  if (outDir == null) {
    console.log(table.title);
    console.table(table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c, row[i]]))));
    for (const note of table.notes ?? []) console.log(note);
    return;
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${table.suite}.${index}.table.json`), JSON.stringify(table, null, 2));
}
