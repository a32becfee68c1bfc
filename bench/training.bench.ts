/**
 * WGAN-GP generator iterations of the authors' MNIST pair, batch 64, side by side in one run:
 * WASM and the PyTorch anchor at DIM 64; WASM, CPU and PyTorch at the CPU backend's reduced
 * width. Then 30 more WASM iterations at the reduced width, one profiled iteration each of
 * WASM (DIM 64) and CPU (reduced width), memory after every iteration, and the ratios the
 * performance targets are stated in.
 */
import { getThreadsCount, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import '../src/index';
import type { Trainer } from '../src/train/trainer';
import {
  AUTHORS_DIM,
  CPU_DIM,
  ITERATION_BATCH,
  iterationEntry,
  iterationTrainer,
  profileIteration,
  runIteration,
  type IterationProfile,
} from './gan_iteration';
import { saveSuite, saveTable, timeRuns, type BenchEntry, type BenchTable, type RunCounts } from './harness';
import { pytorchMissing, startPytorchAnchor, type PytorchAnchor } from './pytorch';

const SUITE = 'training';
/** A DIM 64 iteration takes seconds on WASM and PyTorch: few runs. */
const FULL_COUNTS: RunCounts = { warmup: 1, runs: 3 };
const SMALL_COUNTS: RunCounts = { warmup: 2, runs: 5 };
/** The CPU backend takes ~10 s an iteration even at the reduced width. */
const CPU_COUNTS: RunCounts = { warmup: 1, runs: 2 };
/** Targets of issue 6, as ratios of one run. */
const TARGET_PYTORCH_RATIO = 1.5;
const TARGET_WASM_SPEEDUP = 20;
const TARGET_BACKPROP_INPUT_SHARE = 0.7;
const MB = 2 ** 20;
/** A longer run at the cheap width after the timed ones: memory must stay flat over it. */
const LONG_RUN_ITERATIONS = 30;

interface IterationCase {
  backend: 'wasm' | 'cpu' | 'pytorch';
  dim: number;
  counts: RunCounts;
  once: () => Promise<void>;
}

interface MemorySample {
  label: string;
  numTensors: number;
  numBytes: number;
  rss: number;
  /** V8's heap in use: JS objects (tape records, typed arrays of the CPU backend). */
  jsHeap: number;
  /** The WASM backend's linear memory: it grows to the largest working set and never shrinks. */
  wasmMemory: number;
}

const label = (c: { backend: string; dim: number }) => `${c.backend} DIM ${c.dim}`;

it('WGAN-GP iteration per backend, PyTorch anchor, memory, profile', async () => {
  await tf.setBackend('wasm');
  const tensorsBefore = tf.memory().numTensors;
  const trainers = new Map<string, Trainer>();
  const memory: MemorySample[] = [];
  const recordMemory = (key: string) => {
    const { numTensors, numBytes } = tf.memory();
    const { rss, heapUsed } = process.memoryUsage();
    // HEAPU8 is Emscripten's view of the linear memory; tfjs' typings leave it out.
    const wasmMemory = ((tf.findBackend('wasm') as BackendWasm).wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8
      .byteLength;
    memory.push({ label: key, numTensors, numBytes, rss, jsHeap: heapUsed, wasmMemory });
  };
  const tfjsCase = async (backend: 'wasm' | 'cpu', dim: number, counts: RunCounts): Promise<IterationCase> => {
    const key = label({ backend, dim });
    // Every trainer exists before the first run: from then on the tensor count must not move.
    await tf.setBackend(backend);
    trainers.set(key, iterationTrainer(dim));
    return {
      backend,
      dim,
      counts,
      once: async () => {
        await tf.setBackend(backend);
        await runIteration(trainers.get(key)!);
        recordMemory(key);
      },
    };
  };

  const cases: IterationCase[] = [
    await tfjsCase('wasm', AUTHORS_DIM, FULL_COUNTS),
    await tfjsCase('wasm', CPU_DIM, SMALL_COUNTS),
    await tfjsCase('cpu', CPU_DIM, CPU_COUNTS),
  ];
  await tf.setBackend('wasm');
  const wasmThreads = getThreadsCount();
  const missing = pytorchMissing();
  const anchors: PytorchAnchor[] = [];
  if (missing == null) {
    for (const [dim, counts] of [
      [AUTHORS_DIM, FULL_COUNTS],
      [CPU_DIM, SMALL_COUNTS],
    ] as const) {
      // As many threads as WASM gets (tfjs caps it at cores / 2): the same hardware share.
      const anchor = await startPytorchAnchor({ dim, batch: ITERATION_BATCH, threads: wasmThreads });
      anchors.push(anchor);
      cases.push({ backend: 'pytorch', dim, counts, once: () => anchor.runIteration() });
    }
  } else {
    console.warn(`bench training: ${missing}; the PyTorch anchor is skipped.`);
  }

  let profiles: Map<string, IterationProfile>;
  let times: number[][];
  try {
    times = await timeRuns(cases);
    await tf.setBackend('wasm');
    const longRun = trainers.get(label({ backend: 'wasm', dim: CPU_DIM }))!;
    for (let i = 0; i < LONG_RUN_ITERATIONS; i++) {
      await runIteration(longRun);
      recordMemory(`wasm DIM ${CPU_DIM}, ${LONG_RUN_ITERATIONS} more iterations`);
    }
    profiles = new Map();
    for (const backend of ['wasm', 'cpu'] as const) {
      const dim = backend === 'wasm' ? AUTHORS_DIM : CPU_DIM;
      await tf.setBackend(backend);
      profiles.set(backend, await profileIteration(trainers.get(label({ backend, dim }))!));
    }
  } finally {
    anchors.forEach((a) => a.close());
    trainers.forEach((t) => t.dispose());
  }
  // A leak shows here first: every iteration must end with the tensors it started with.
  expect(new Set(memory.map((m) => m.numTensors)).size).toBe(1);
  expect(tf.memory().numTensors).toBe(tensorsBefore);

  const gflopAt = (dim: number) => (dim === AUTHORS_DIM ? profiles.get('wasm')!.gflop : profiles.get('cpu')!.gflop);
  const entries: BenchEntry[] = cases.map((c, i) =>
    iterationEntry(
      SUITE,
      { dim: c.dim, backend: c.backend, gflop: gflopAt(c.dim), timesMs: times[i] },
      {
        threads: c.backend === 'cpu' ? 1 : c.backend === 'wasm' ? wasmThreads : anchors[0]?.threads,
        ...(c.backend === 'pytorch' && { torch: anchors[0]?.torchVersion }),
      },
    ),
  );
  saveSuite(SUITE, entries);

  const medianMs = (backend: string, dim: number) =>
    entries[cases.findIndex((c) => c.backend === backend && c.dim === dim)]?.medianMs;
  saveTable(ratioTable(medianMs, gflopAt, profiles.get('wasm')!, missing), 0);
  saveTable(memoryTable(memory), 1);
  let index = 2;
  for (const [backend, profile] of profiles)
    saveTable(profileTable(backend, backend === 'wasm' ? AUTHORS_DIM : CPU_DIM, profile), index++);
});

function ratioTable(
  medianMs: (backend: string, dim: number) => number | undefined,
  gflopAt: (dim: number) => number,
  wasmProfile: IterationProfile,
  pytorchMissingReason: string | null,
): BenchTable {
  const rows: (string | number)[][] = [];
  const ratioRow = (name: string, value: number | undefined, target: string, met: boolean | null) =>
    rows.push([name, value ?? '-', target, value == null || met == null ? '-' : met ? 'yes' : 'NO']);
  const wasm = medianMs('wasm', AUTHORS_DIM)!;
  const wasmSmall = medianMs('wasm', CPU_DIM)!;
  const cpuSmall = medianMs('cpu', CPU_DIM)!;
  const torch = medianMs('pytorch', AUTHORS_DIM);
  const torchSmall = medianMs('pytorch', CPU_DIM);
  ratioRow(
    `wasm / PyTorch time, DIM ${AUTHORS_DIM}`,
    torch && wasm / torch,
    `<= ${TARGET_PYTORCH_RATIO}`,
    torch ? wasm / torch <= TARGET_PYTORCH_RATIO : null,
  );
  ratioRow(`wasm / PyTorch time, DIM ${CPU_DIM}`, torchSmall && wasmSmall / torchSmall, 'info', null);
  ratioRow(
    `cpu / wasm time, DIM ${CPU_DIM} (measured)`,
    cpuSmall / wasmSmall,
    `>= ${TARGET_WASM_SPEEDUP}`,
    cpuSmall / wasmSmall >= TARGET_WASM_SPEEDUP,
  );
  const cpuEstimate = cpuSmall * (gflopAt(AUTHORS_DIM) / gflopAt(CPU_DIM));
  ratioRow(
    `cpu / wasm time, DIM ${AUTHORS_DIM} (cpu estimated from DIM ${CPU_DIM} by GFLOP)`,
    cpuEstimate / wasm,
    'info',
    null,
  );
  const rate = (kernel: string) => {
    const k = wasmProfile.shares.find((s) => s.kernel === kernel);
    return k ? k.gflop / k.ms : NaN;
  };
  const backpropShare = rate('Conv2DBackpropInput') / rate('Conv2D');
  ratioRow(
    'wasm Conv2DBackpropInput / Conv2D GFLOP/s over the DIM 64 iteration',
    backpropShare,
    `>= ${TARGET_BACKPROP_INPUT_SHARE}`,
    backpropShare >= TARGET_BACKPROP_INPUT_SHARE,
  );
  return {
    suite: SUITE,
    title: 'ratios from this run (times are medians; lower time is better)',
    columns: ['ratio', 'value', 'target', 'met'],
    rows,
    notes: [
      `cpu DIM ${AUTHORS_DIM} estimate: ${(cpuEstimate / 1000).toFixed(0)} s an iteration (DIM ${CPU_DIM} median x ${gflopAt(AUTHORS_DIM).toFixed(0)} / ${gflopAt(CPU_DIM).toFixed(1)} GFLOP), not run.`,
      ...(pytorchMissingReason ? [pytorchMissingReason] : []),
    ],
  };
}

/** Per case: tensors, tensor bytes and process RSS after its first and last iteration, and the peak. */
function memoryTable(samples: MemorySample[]): BenchTable {
  const labels = [...new Set(samples.map((s) => s.label))];
  const rows = labels.map((l) => {
    const mine = samples.filter((s) => s.label === l);
    const [first, last] = [mine[0], mine[mine.length - 1]];
    const peak = (f: (s: MemorySample) => number) => Math.max(...mine.map(f)) / MB;
    return [
      l,
      mine.length,
      `${first.numTensors} / ${last.numTensors}`,
      `${(first.numBytes / MB).toFixed(1)} / ${(last.numBytes / MB).toFixed(1)}`,
      `${(first.rss / MB).toFixed(0)} / ${(last.rss / MB).toFixed(0)}`,
      peak((s) => s.rss),
      `${(first.jsHeap / MB).toFixed(0)} / ${(last.jsHeap / MB).toFixed(0)}`,
      `${(first.wasmMemory / MB).toFixed(0)} / ${(last.wasmMemory / MB).toFixed(0)}`,
    ];
  });
  const all = samples.map((s) => s.numTensors);
  return {
    suite: SUITE,
    title:
      'memory after each iteration (tf.memory() counts the tensors of all trainers in this suite; RSS is the whole Node process)',
    columns: [
      'case',
      'iterations',
      'tensors first / last',
      'tensor MB first / last',
      'RSS MB first / last',
      'RSS MB peak',
      'JS heap MB first / last',
      'WASM memory MB first / last',
    ],
    rows,
    notes: [
      `tensor count after each of the ${samples.length} iterations: min ${Math.min(...all)}, max ${Math.max(...all)} (all trainers built before the first).`,
    ],
  };
}

/** Kernels below this share of the iteration are summed into one row. */
const MIN_SHARE_SHOWN = 0.01;

function profileTable(backend: string, dim: number, { wallMs, shares, gflop }: IterationProfile): BenchTable {
  const kernelMs = shares.reduce((s, k) => s + k.ms, 0);
  const shown = shares.filter((k) => k.ms >= MIN_SHARE_SHOWN * wallMs);
  const rest = shares.filter((k) => !shown.includes(k));
  const sum = (f: (k: (typeof shares)[number]) => number) => rest.reduce((s, k) => s + f(k), 0);
  const row = (name: string, calls: number, ms: number, kernelGflop: number) => [
    name,
    calls,
    ms,
    (100 * ms) / wallMs,
    kernelGflop,
    kernelGflop > 0 ? kernelGflop / (ms / 1000) : '-',
  ];
  return {
    suite: SUITE,
    title: `profile of one WGAN-GP iteration, dcgan28 DIM ${dim}, batch ${ITERATION_BATCH}, ${backend}: ${(wallMs / 1000).toFixed(2)} s, ${gflop.toFixed(1)} GFLOP`,
    columns: ['kernel', 'calls', 'ms', '% of wall', 'GFLOP', 'GFLOP/s'],
    rows: [
      ...shown.map((k) => row(k.kernel, k.calls, k.ms, k.gflop)),
      row(
        `${rest.length} other kernels`,
        sum((k) => k.calls),
        sum((k) => k.ms),
        sum((k) => k.gflop),
      ),
      row('outside kernels (JS, tape, readback)', 0, wallMs - kernelMs, 0),
    ],
    notes: [
      "tf.profile over one iteration after the timed ones; GFLOP counted from each kernel's shapes (convolutions, matmuls).",
    ],
  };
}
