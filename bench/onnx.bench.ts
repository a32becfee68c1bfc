/**
 * wgan-edge beside onnxruntime on the same generator: the authors' MNIST DCGAN (dcgan28, DIM 64)
 * with fresh weights, written as a model folder, exported to ONNX by the PyTorch twin
 * (bench/onnx_export.py; git-ignored, under bench/results/onnx), then sampled at batch 1, 16 and
 * 64 with 1 and 2 threads by wgan-edge (sampleGenerator, WASM), onnxruntime-web (wasm execution
 * provider) and onnxruntime-node (the native CPU build: the ceiling), all taking turns round by
 * round in this process, first the 1-thread cases, then the 2-thread ones: an idle thread pool
 * keeps spinning for a while after its call (onnxruntime's does by default), which slowed the
 * next 1-thread case by up to 1.6x when they all took turns. Before timing, every runtime's
 * samples of the same latents must agree with wgan-edge's to 1e-4. wgan-edge and onnxruntime-web run in worker threads (bench/onnx_worker.mjs),
 * one per thread count, and time themselves there; wgan-edge's side is the built bundle.
 * Needs Debian's PyTorch for the export (skipped with a warning without it); onnxruntime-node is
 * skipped with a warning where it cannot load.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import '../src/index';
import { saveModelDir } from '../src/io/node_files';
import { createCritic, createGenerator } from '../src/models';
import { archConfig } from '../src/models/config';
import { disposeParams, readParams } from '../src/nn/params';
import { seededLatents } from '../src/sample/latent_paths';
import { AUTHORS_DIM } from './gan_iteration';
import { rateEntry, saveSuite, saveTable, timeRuns, type BenchEntry, type RunCounts } from './harness';
import { pytorchMissing } from './pytorch';

const SUITE = 'onnx';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = join(ROOT, 'bench', 'results', 'onnx');
const MODEL_DIR = join(OUT_DIR, `dcgan28-dim${AUTHORS_DIM}`);
const ONNX_FILE = join(OUT_DIR, `dcgan28-dim${AUTHORS_DIM}.onnx`);
const BUNDLE = join(ROOT, 'dist', 'index.node.cjs');
const EXPORTER = join(ROOT, 'bench', 'onnx_export.py');
const WORKER = new URL('./onnx_worker.mjs', import.meta.url);
const PYTHON = '/usr/bin/python3';
const THREADS = [1, 2];
/** Small batches are cheap and noisy: more runs. */
const BATCHES: { n: number; counts: RunCounts }[] = [
  { n: 1, counts: { warmup: 5, runs: 31 } },
  { n: 16, counts: { warmup: 3, runs: 15 } },
  { n: 64, counts: { warmup: 2, runs: 9 } },
];
const WEIGHT_SEED = 1;
const CHECK_SEED = 11;
const CHECK_SAMPLES = 4;
const TIMING_SEED = 7;
const AGREEMENT = 1e-4;
/** The issue's targets: wgan-edge / onnxruntime-web time, one thread each. */
const TARGET_RATIO: Record<number, number> = { 1: 1.5, 64: 0.8 };

interface Sampler {
  runtime: 'wgan-edge' | 'onnxruntime-web' | 'onnxruntime-node';
  threads: number;
  /** Samples of `latents` (row-major [n, latentDim], drawn from `seed` as sampleGenerator draws them); ms when it timed itself. */
  sample(
    n: number,
    seed: number,
    latents: Float32Array,
    keep?: boolean,
  ): Promise<{ ms?: number; values?: Float32Array }>;
  close(): Promise<number>;
}

it('sampling: wgan-edge beside onnxruntime-web and onnxruntime-node, 1 and 2 threads', async () => {
  const missing = pytorchMissing();
  if (missing != null) {
    console.warn(`bench onnx: ${missing}; the ONNX export needs it, suite skipped.`);
    return;
  }
  checkBundle();
  await tf.setBackend('wasm');
  const arch = archConfig('dcgan28', { dim: AUTHORS_DIM });
  await writeModelFolder(arch);
  const checkLatents = await seededLatents(CHECK_SAMPLES, arch.latentDim, CHECK_SEED);
  const torchSamples = exportOnnx(checkLatents);

  const samplers: Sampler[] = [];
  const notes: string[] = [];
  try {
    for (const threads of THREADS) {
      const wasm = [
        await workerSampler('wgan-edge', threads, MODEL_DIR),
        await workerSampler('onnxruntime-web', threads, ONNX_FILE),
      ];
      const short = wasm.find((w) => w.startedThreads !== threads);
      if (short != null) {
        // A threaded build that cannot start here runs single-threaded: not the case asked for.
        notes.push(
          `${short.runtime} started with ${short.startedThreads} thread(s) where ${threads} were asked for (${short.startReason}): the ${threads}-thread rows are left out`,
        );
        await Promise.all(wasm.map((w) => w.close()));
        continue;
      }
      samplers.push(...wasm);
      const native = await nodeSampler(threads);
      if (typeof native !== 'string') samplers.push(native);
      else if (!notes.includes(native)) notes.push(native);
    }
    notes.forEach((note) => console.warn(`bench onnx: ${note}`));

    // The same latents through every runtime: the samples must agree before they are timed.
    const agreement: (string | number)[][] = [];
    const edgeSamples = (await samplers[0].sample(CHECK_SAMPLES, CHECK_SEED, checkLatents, true)).values!;
    agreement.push(['PyTorch 1.13 (the exporter)', maxDifference(torchSamples, edgeSamples)]);
    for (const s of samplers.slice(1)) {
      agreement.push([
        `${s.runtime}, ${s.threads} thread${s.threads > 1 ? 's' : ''}`,
        maxDifference((await s.sample(CHECK_SAMPLES, CHECK_SEED, checkLatents, true)).values!, edgeSamples),
      ]);
    }
    for (const [who, diff] of agreement) expect(diff, `${who} against wgan-edge`).toBeLessThanOrEqual(AGREEMENT);

    const latents = new Map<number, Float32Array>();
    for (const { n } of BATCHES) latents.set(n, await seededLatents(n, arch.latentDim, TIMING_SEED));
    const cases: Case[] = [];
    const times: number[][] = [];
    const load: Record<number, [number, number]> = {};
    for (const threads of THREADS) {
      const phase = BATCHES.flatMap(({ n, counts }) =>
        samplers.filter((s) => s.threads === threads).map((s) => ({ s, n, counts })),
      );
      const start = loadavg()[0];
      times.push(
        ...(await timeRuns(
          phase.map(({ s, n, counts }) => ({
            counts,
            once: async () => (await s.sample(n, TIMING_SEED, latents.get(n)!)).ms,
          })),
        )),
      );
      cases.push(...phase);
      load[threads] = [start, loadavg()[0]];
    }

    const entries: BenchEntry[] = cases.map(({ s, n }, i) =>
      rateEntry(
        {
          suite: SUITE,
          name: `sample dcgan28 DIM ${AUTHORS_DIM}, batch ${n}, ${s.threads} thread${s.threads > 1 ? 's' : ''}`,
          backend: s.runtime === 'wgan-edge' ? 'wasm' : s.runtime,
          unit: 'images/s',
          detail: { batch: n, threads: s.threads, runtime: s.runtime, loadAverage1m: load[s.threads] },
        },
        n,
        times[i],
      ),
    );
    saveSuite(SUITE, entries);
    saveTable(ratioTable(cases, times, load, notes));
    saveTable(
      {
        suite: SUITE,
        title: `Agreement with wgan-edge's samples (max |difference|, ${CHECK_SAMPLES} samples, bound ${AGREEMENT})`,
        columns: ['runtime', 'max |difference|'],
        rows: agreement,
      },
      1,
    );
  } finally {
    const tensorsLeft = await Promise.all(samplers.map((s) => s.close()));
    expect(
      tensorsLeft.every((t) => t === 0),
      `tensors left in the wgan-edge workers: ${tensorsLeft}`,
    ).toBe(true);
  }
});

/** The wgan-edge side runs the built bundle: it must exist and be newer than the sources it is built from. */
function checkBundle(): void {
  if (!existsSync(BUNDLE)) throw new Error(`bench onnx: ${BUNDLE} is missing; run npm run build first.`);
  const built = statSync(BUNDLE).mtimeMs;
  const newer = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && statSync(join(ROOT, 'src', f)).mtimeMs > built,
  );
  if (newer.length > 0)
    throw new Error(
      `bench onnx: ${BUNDLE} is older than src/${newer[0]} (and ${newer.length - 1} more); run npm run build first.`,
    );
}

async function writeModelFolder(arch: ReturnType<typeof archConfig>): Promise<void> {
  const [generator, critic] = [createGenerator(arch, WEIGHT_SEED), createCritic(arch, WEIGHT_SEED + 1)];
  try {
    await saveModelDir(MODEL_DIR, {
      architecture: { ...arch },
      latentDim: arch.latentDim,
      outputShape: arch.outputShape,
      outputRange: arch.outputRange,
      provenance: { note: 'freshly initialised weights for the onnx bench' },
      generator: await readParams(generator.params),
      critic: await readParams(critic.params),
    });
  } finally {
    disposeParams(generator.params);
    disposeParams(critic.params);
  }
}

/** Exports the folder's generator to ONNX_FILE; PyTorch's samples of `latents`. */
function exportOnnx(latents: Float32Array): Float32Array {
  mkdirSync(OUT_DIR, { recursive: true });
  const [latentsFile, samplesFile] = [join(OUT_DIR, 'check-latents.f32'), join(OUT_DIR, 'check-samples.f32')];
  writeFileSync(latentsFile, latents);
  const run = spawnSync(
    PYTHON,
    [EXPORTER, '--model', MODEL_DIR, '--out', ONNX_FILE, '--check', latentsFile, '--check-out', samplesFile],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`bench onnx: ${EXPORTER} failed (${run.status ?? run.signal}): ${run.stderr}`);
  const bytes = readFileSync(samplesFile);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice();
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** A worker thread (bench/onnx_worker.mjs) that samples and times itself, with the thread count its WASM started with and why. */
async function workerSampler(
  runtime: 'wgan-edge' | 'onnxruntime-web',
  threads: number,
  model: string,
): Promise<Sampler & { startedThreads: number; startReason: string }> {
  const worker = new Worker(WORKER, { workerData: { runtime, threads, model } });
  const replies: ((message: Record<string, unknown>) => void)[] = [];
  let failure: Error | null = null;
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      if (failure != null) reject(failure);
      else replies.push(resolve);
    });
  worker.on('message', (message: Record<string, unknown>) => replies.shift()?.(message));
  worker.on('error', (e) => {
    failure = e;
    replies.splice(0).forEach((reply) => reply({ failed: e.message }));
  });
  const answer = async () => {
    const message = await next();
    if (message.failed != null) throw new Error(`bench onnx: ${String(message.failed)}`);
    return message;
  };
  const { ready } = (await answer()) as { ready: { threads: number; reason: string } };
  return {
    runtime,
    threads,
    startedThreads: ready.threads,
    startReason: ready.reason,
    async sample(n, seed, latents, keep = false) {
      worker.postMessage(runtime === 'wgan-edge' ? { n, seed, keep } : { n, latents, keep });
      const { ms, values } = await answer();
      return { ms: ms as number, values: values as Float32Array | undefined };
    },
    async close() {
      worker.postMessage({ close: true });
      const { tensorsLeft } = await answer();
      await worker.terminate();
      return tensorsLeft as number;
    },
  };
}

/** onnxruntime-node's CPU execution provider in this thread, or why it cannot load. */
async function nodeSampler(threads: number): Promise<Sampler | string> {
  let ort: typeof import('onnxruntime-node');
  try {
    ort = createRequire(import.meta.url)('onnxruntime-node');
  } catch (e) {
    return `onnxruntime-node cannot load here (${(e as Error).message.split('\n')[0]}): its rows are left out`;
  }
  const session = await ort.InferenceSession.create(ONNX_FILE, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  const [input] = session.inputNames;
  const [output] = session.outputNames;
  return {
    runtime: 'onnxruntime-node',
    threads,
    async sample(n, _seed, latents) {
      const outputs = await session.run({ [input]: new ort.Tensor('float32', latents, [n, latents.length / n]) });
      return { values: Float32Array.from(outputs[output].data as Float32Array) };
    },
    async close() {
      await session.release();
      return 0;
    },
  };
}

type Case = { s: Sampler; n: number };

/**
 * Per batch and thread count: the median time of each runtime and wgan-edge's time over the
 * others', as the median of the ratios of one round (runs of one round saw the same load); and
 * each WASM runtime's speed-up from its second thread (medians of the two phases: not paired).
 */
function ratioTable(cases: Case[], times: number[][], load: Record<number, [number, number]>, notes: string[]) {
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const find = (runtime: Sampler['runtime'], n: number, threads: number) =>
    cases.findIndex((c) => c.s.runtime === runtime && c.n === n && c.s.threads === threads);
  const ratio = (a: number, b: number) => {
    if (a < 0 || b < 0) return '-';
    const r = times[a].map((t, k) => t / times[b][k]).sort((x, y) => x - y);
    return `${median(r).toFixed(2)} (${r[0].toFixed(2)}-${r[r.length - 1].toFixed(2)})`;
  };
  const ms = (i: number) => (i < 0 ? '-' : Number(median(times[i]).toFixed(2)));
  const rows = BATCHES.flatMap(({ n }) =>
    THREADS.map((threads) => {
      const [edge, web, native] = (['wgan-edge', 'onnxruntime-web', 'onnxruntime-node'] as const).map((r) =>
        find(r, n, threads),
      );
      const target = threads === 1 && TARGET_RATIO[n] != null ? `<= ${TARGET_RATIO[n]}` : '-';
      const speedUp = (runtime: Sampler['runtime']) => {
        const [one, mine] = [find(runtime, n, 1), find(runtime, n, threads)];
        return threads === 1 || one < 0 || mine < 0
          ? '-'
          : Number((median(times[one]) / median(times[mine])).toFixed(2));
      };
      return [
        n,
        threads,
        ms(edge),
        ms(web),
        ms(native),
        ratio(edge, web),
        target,
        ratio(edge, native),
        speedUp('wgan-edge'),
        speedUp('onnxruntime-web'),
      ];
    }),
  );
  return {
    suite: SUITE,
    title: `wgan-edge (WASM, sampleGenerator) beside onnxruntime on dcgan28 DIM ${AUTHORS_DIM}: median ms a call, paired ratios`,
    columns: [
      'batch',
      'threads',
      'wgan-edge ms',
      'onnxruntime-web ms',
      'onnxruntime-node ms',
      'wgan-edge / web (min-max)',
      'target',
      'wgan-edge / node (min-max)',
      'wgan-edge speed-up over 1 thread',
      'web speed-up over 1 thread',
    ],
    rows,
    notes: [
      `${cpus().length} cores; load average at the start and end of each thread count's rounds: ${THREADS.map((t) => `${t} thread${t > 1 ? 's' : ''} ${load[t].map((l) => l.toFixed(1)).join(' -> ')}`).join(', ')}. A second thread only pays with a free core.`,
      'wgan-edge draws its latents from the seed inside sampleGenerator (~0.2 ms at batch 1); onnxruntime gets the same latents ready-made.',
      ...notes,
    ],
  };
}
