/**
 * Sampling from a dcgan28 model folder (the shipped mnist, DIM 32, or DIM 64 weights when it is
 * missing; the entries name the width): images/s at batch 1, 16 and 64 per backend,
 * and cold start, from the folder on disk to the first 16 images read back: in this process
 * (backend ready) and as a fresh `wgan-edge sample` process (Node start, bundle, WASM init).
 * Uses the shipped models/mnist when it exists, else freshly initialised weights saved with
 * saveModelDir: the time does not depend on the weights' values.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import '../src/index';
import { generatorFromModel } from '../src/io/networks';
import { loadModelDir, saveModelDir } from '../src/io/node_files';
import { createCritic, createGenerator } from '../src/models';
import { archConfig } from '../src/models/config';
import type { Network } from '../src/models/network';
import { disposeParams, readParams } from '../src/nn/params';
import { sampleGenerator } from '../src/sample/generate';
import { latents } from '../src/sample/latents';
import { AUTHORS_DIM } from './gan_iteration';
import { rateEntry, saveSuite, saveTable, type BenchEntry, type RunCounts, timeRuns } from './harness';

const SUITE = 'sampling';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHIPPED_MODEL = join(ROOT, 'models', 'mnist');
const CLI = join(ROOT, 'dist', 'cli.cjs');
const BATCHES = [1, 16, 64];
const COLD_START_IMAGES = 16;
const LATENT_SEED = 7;
/** The CPU backend needs ~0.1 s an image: fewer runs. */
const COUNTS: Record<string, RunCounts> = { wasm: { warmup: 2, runs: 7 }, cpu: { warmup: 1, runs: 3 } };
const PROCESS_COUNTS: RunCounts = { warmup: 1, runs: 3 };

/** Draws n images and waits for their values, as a page or the CLI would. */
async function sampleImages(generator: Network, n: number): Promise<void> {
  const images = tf.tidy(() => generator.apply(generator.params, latents(n, generator.config.latentDim, LATENT_SEED)));
  await images.data();
  images.dispose();
}

/** The folder to sample from: the shipped model, or a fresh DIM 64 pair written to a temporary folder. */
async function modelFolder(): Promise<{ dir: string; source: string; cleanUp: () => void }> {
  if (existsSync(join(SHIPPED_MODEL, 'model.json')))
    return { dir: SHIPPED_MODEL, source: 'models/mnist', cleanUp: () => {} };
  const parent = mkdtempSync(join(tmpdir(), 'wgan-bench-model-'));
  const dir = join(parent, 'dcgan28');
  const arch = archConfig('dcgan28', { dim: AUTHORS_DIM });
  const [generator, critic] = [createGenerator(arch, 1), createCritic(arch, 2)];
  await saveModelDir(dir, {
    architecture: { ...arch },
    latentDim: arch.latentDim,
    outputShape: arch.outputShape,
    outputRange: [0, 1],
    provenance: { note: 'freshly initialised weights for the sampling bench' },
    generator: await readParams(generator.params),
    critic: await readParams(critic.params),
  });
  disposeParams(generator.params);
  disposeParams(critic.params);
  return {
    dir,
    source: `fresh dcgan28 DIM ${AUTHORS_DIM} weights`,
    cleanUp: () => rmSync(parent, { recursive: true, force: true }),
  };
}

it('sampling throughput and cold start', async () => {
  await tf.setBackend('wasm');
  const tensorsBefore = tf.memory().numTensors;
  const { dir, source, cleanUp } = await modelFolder();
  const entries: BenchEntry[] = [];
  try {
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const counts = COUNTS[backend];
      const generator = generatorFromModel(await loadModelDir(dir), dir);
      const coldStart = async () => {
        const loaded = generatorFromModel(await loadModelDir(dir), dir);
        await sampleImages(loaded, COLD_START_IMAGES);
        disposeParams(loaded.params);
      };
      const cases = [
        ...BATCHES.map((n) => ({ counts, once: () => sampleImages(generator, n) })),
        { counts, once: coldStart },
      ];
      const times = await timeRuns(cases);
      disposeParams(generator.params);
      BATCHES.forEach((n, i) => {
        const name = `sample ${generator.config.kind} DIM ${(generator.config as { dim: number }).dim}, batch ${n}`;
        entries.push(
          rateEntry(
            { suite: SUITE, name, backend, unit: 'images/s', detail: { batch: n, model: source } },
            n,
            times[i],
          ),
        );
      });
      entries.push(
        rateEntry(
          {
            suite: SUITE,
            name: `cold start in process: load folder, first ${COLD_START_IMAGES} images`,
            backend,
            unit: 'starts/s',
            detail: { images: COLD_START_IMAGES, model: source, backendReady: true },
          },
          1,
          times[BATCHES.length],
        ),
      );
    }
    entries.push(...(await cliColdStart(dir, source)));
  } finally {
    cleanUp();
  }
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  saveSuite(SUITE, entries);
});

/** A fresh `wgan-edge sample` process per run (the built CLI; skipped with a warning before `npm run build`). */
async function cliColdStart(dir: string, source: string): Promise<BenchEntry[]> {
  if (!existsSync(CLI)) {
    console.warn(`bench sampling: ${CLI} is missing (npm run build); the CLI cold start is skipped.`);
    return [];
  }
  const outDir = mkdtempSync(join(tmpdir(), 'wgan-bench-sample-'));
  const args = [
    CLI,
    'sample',
    '--model',
    dir,
    '--n',
    String(COLD_START_IMAGES),
    '--backend',
    'wasm',
    '--out',
    join(outDir, 'samples.npy'),
  ];
  try {
    const [times] = await timeRuns([
      { counts: PROCESS_COUNTS, once: async () => void execFileSync(process.execPath, args, { stdio: 'ignore' }) },
    ]);
    return [
      rateEntry(
        {
          suite: SUITE,
          name: `cold start, new process: wgan-edge sample --n ${COLD_START_IMAGES} (Node, bundle, WASM init, load, PNG-free .npy)`,
          backend: 'wasm',
          unit: 'starts/s',
          detail: { images: COLD_START_IMAGES, model: source, command: 'node dist/cli.cjs sample' },
        },
        1,
        times,
      ),
    ];
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

const BREAKDOWN_CALLS = 101;
const BREAKDOWN_WARMUP = 10;

/**
 * Where one batch-1 sampleGenerator call of the issue-28 generator (dcgan28 DIM 64, WASM, one
 * thread) goes: median ms per call of each part, over many calls, with the transposed
 * convolutions' phase filters kept (the weights stay put) and made anew at every call (fresh
 * weight tensors each call, as the kernel ran before it kept them). Every WASM kernel is wrapped
 * to time it; kernels that a kernel runs inside itself (Conv2DBackpropInput's Conv2D, ...) are
 * listed under it.
 */
it('sampling at batch 1: where the time of one call goes, phase filters kept and made anew', async () => {
  await tf.setBackend('wasm');
  const tensorsBefore = tf.memory().numTensors;
  const arch = archConfig('dcgan28', { dim: AUTHORS_DIM });
  const generator = createGenerator(arch, 1);
  let depth = 0;
  let outerKernel = '';
  let times = new Map<string, number>();
  const wrapped = tf.getKernelsForBackend('wasm').map((config) => {
    const kernelFunc = config.kernelFunc;
    (config as { kernelFunc: unknown }).kernelFunc = (args: Parameters<typeof kernelFunc>[0]) => {
      if (depth === 0) outerKernel = config.kernelName;
      const key = depth === 0 ? config.kernelName : `  inside ${outerKernel}: ${config.kernelName}`;
      depth++;
      const start = performance.now();
      try {
        return kernelFunc(args);
      } finally {
        depth--;
        times.set(key, (times.get(key) ?? 0) + performance.now() - start);
      }
    };
    return { config, kernelFunc };
  });
  const columns: Map<string, number[]>[] = [];
  try {
    for (const freshWeights of [false, true]) {
      const parts = new Map<string, number[]>();
      const add = (part: string, ms: number) => parts.set(part, [...(parts.get(part) ?? []), ms]);
      for (let call = 0; call < BREAKDOWN_WARMUP + BREAKDOWN_CALLS; call++) {
        const params = freshWeights
          ? Object.fromEntries(Object.entries(generator.params).map(([name, w]) => [name, tf.add(w, 0)]))
          : generator.params;
        const network = { ...generator, params } as Network;
        times = new Map();
        const start = performance.now();
        await sampleGenerator(network, { n: 1, seed: call });
        const total = performance.now() - start;
        if (freshWeights) disposeParams(params);
        if (call < BREAKDOWN_WARMUP) continue;
        add('whole call', total);
        let inKernels = 0;
        for (const [kernel, ms] of times) {
          add(kernel, ms);
          if (!kernel.startsWith(' ')) inKernels += ms;
        }
        add('outside kernels (latents, engine, tidy, readback, copy)', total - inKernels);
      }
      columns.push(parts);
    }
  } finally {
    for (const { config, kernelFunc } of wrapped) (config as { kernelFunc: unknown }).kernelFunc = kernelFunc;
    disposeParams(generator.params);
  }
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  const median = (v: number[] | undefined) =>
    v == null ? '-' : Number([...v].sort((a, b) => a - b)[v.length >> 1].toFixed(3));
  const names = [...new Set(columns.flatMap((c) => [...c.keys()]))];
  // Kernels inside another one go right under it, in the order they first ran.
  const order = names
    .filter((n) => !n.startsWith(' '))
    .flatMap((n) => [n, ...names.filter((m) => m.startsWith(`  inside ${n}:`))]);
  saveTable({
    suite: SUITE,
    title: `One batch-1 sampleGenerator call, dcgan28 DIM ${AUTHORS_DIM}, WASM 1 thread: median ms per part over ${BREAKDOWN_CALLS} calls`,
    columns: ['part', 'phase filters kept', 'made anew each call'],
    rows: order.map((part) => [part, median(columns[0].get(part)), median(columns[1].get(part))]),
    notes: [
      `load average ${loadavg()[0].toFixed(1)}; medians of parts do not add up to the whole call's median.`,
      '"made anew": fresh weight tensors at every call, so the kernel picks the phase taps (BatchMatMul) and XNNPACK repacks each phase filter (inside Conv2D).',
    ],
  });
});
