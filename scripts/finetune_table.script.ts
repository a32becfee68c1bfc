/**
 * Few-shot fine-tuning against plain fine-tuning (issue 26, docs/finetune.md): for each digit,
 * SHOTS images of it from MNIST's *test* set (seeded pick), then each method, then N samples
 * scored by the project's classifier (share of the digit) and by their median distance to the
 * nearest shot over the typical distance between two real test images of the digit
 * (metrics/few_shot.ts). Seconds are the method's wall time (choice of components included),
 * CPU seconds the process's CPU time over it: one WASM thread's work, which a loaded machine
 * stretches less than the wall.
 *   DIGITS=0,1,...,9 METHODS=plain-200,plain-600,finetune N=1000 \
 *     npx vitest run --config scripts/vitest.config.ts scripts/finetune_table.script.ts
 * Methods: plain-S (train --init's run: wgan-gp, batch 8, lr 1e-4, no average, S steps),
 * finetune (fineTune with its defaults), finetune-S (its defaults, S steps), choice (the choice
 * of components alone, no steps), and finetune-S:key=value+key=value to override options
 * (augment=none, cutout=0, translation=0.25, freeze=0, ema=none, lr=2e-4, batch=16, ncritic=2, spread=0.7 (or none), ratio=1, steps=N).
 * One line of JSON per run on stdout, and a markdown table at the end. SHOTS_DIR=dir also writes
 * each digit's shots as PNGs (for timing `wgan-edge finetune --images dir/<digit>`); METHODS= (empty)
 * runs no method.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encode as encodePng } from 'fast-png';
import { it } from 'vitest';
import '../src/index';
import { initBackend } from '../src/backend/init';
import type { ImageArray } from '../src/data/images';
import { imageDataset } from '../src/data/images';
import { classifierFromContents } from '../src/io/classifier_file';
import type { ModelContents } from '../src/io/codec';
import { archOf, generatorFromModel, modelFromTrainer, startFromModel } from '../src/io/networks';
import { loadModelDir } from '../src/io/node_files';
import { classifierOutputs, predictedClasses } from '../src/metrics/classifier_quality';
import { nearestShotRatio } from '../src/metrics/few_shot';
import { disposeParams } from '../src/nn/params';
import { loadClassifierDir } from '../src/node/classifier_files';
import { loadMnist, loadMnistLabels } from '../src/node/mnist';
import { seededLatents } from '../src/sample/latent_paths';
import { DIFF_AUGMENT_DEFAULT } from '../src/train/diff_augment';
import { fineTune } from '../src/io/finetune';
import type { FineTuneOptions } from '../src/train/finetune';
import { Rng } from '../src/utils/rng';
import { Trainer } from '../src/train/trainer';

const MODEL = process.env.MODEL ?? 'models/mnist';
const DIGITS = (process.env.DIGITS ?? '0,1,2,3,4,5,6,7,8,9').split(',').map(Number);
const METHODS = (process.env.METHODS ?? 'plain-200,plain-600,finetune').split(',').filter(Boolean);
const N = Number(process.env.N ?? 1000);
const SHOTS = Number(process.env.SHOTS ?? 10);
const PICK_SEED = Number(process.env.PICK_SEED ?? 26);
const SAMPLE_SEED = 1;
/** When set, each digit's shots are also written there as PNGs (SHOTS_DIR/<digit>/<k>.png). */
const SHOTS_DIR = process.env.SHOTS_DIR;
const SIZE = 28 * 28;

interface Row { method: string; digit: number; steps: number; seconds: number; cpuSeconds: number; share: number; ratio: number; realRatio: number; variety: number; components: number[] | null }

it('few-shot fine-tuning table', async () => {
  const report = await initBackend({ backend: 'wasm', threads: 1 });
  console.log(JSON.stringify({ backend: report.backend, threads: report.threads }));
  const model = await loadModelDir(MODEL);
  const test = await loadMnist('test');
  const labels = await loadMnistLabels('test');
  const classifier = classifierFromContents(await loadClassifierDir('models/classifiers/mnist'), 'mnist');
  const rows: Row[] = [];
  for (const digit of DIGITS) {
    const indices = [...labels.keys()].filter((i) => labels[i] === digit);
    const rng = new Rng(PICK_SEED + digit);
    for (let i = 0; i < SHOTS; i++) {
      const j = i + rng.int(indices.length - i);
      [indices[i], indices[j]] = [indices[j], indices[i]];
    }
    const pick = (list: number[]): ImageArray => {
      const data = new Uint8Array(list.length * SIZE);
      list.forEach((idx, k) => data.set(test.data.subarray(idx * SIZE, (idx + 1) * SIZE) as Uint8Array, k * SIZE));
      return { data, shape: [list.length, 28, 28, 1] };
    };
    const shots = pick(indices.slice(0, SHOTS));
    if (SHOTS_DIR != null) {
      // The same ten images as PNG files, for `wgan-edge finetune --images SHOTS_DIR/<digit>`.
      await mkdir(join(SHOTS_DIR, String(digit)), { recursive: true });
      for (let k = 0; k < SHOTS; k++) {
        const png = encodePng({ width: 28, height: 28, channels: 1, data: (shots.data as Uint8Array).subarray(k * SIZE, (k + 1) * SIZE) });
        await writeFile(join(SHOTS_DIR, String(digit), `${k}.png`), png);
      }
    }
    const reals = pick(indices.slice(SHOTS, SHOTS + 400));
    for (const method of METHODS) {
      const started = performance.now();
      const cpuStart = process.cpuUsage();
      const { tuned, components, steps } = await runMethod(method, model, shots);
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const samples = await drawSamples(tuned, N);
      const { probabilities } = await classifierOutputs(classifier, samples);
      const share = predictedClasses(probabilities).filter((c) => c === digit).length / N;
      const r = nearestShotRatio(samples, toFloats(shots), toFloats(reals), SIZE);
      const row = { method, digit, steps, seconds: round(seconds), cpuSeconds: round(cpuSeconds), share: round(share, 3), ratio: round(r.ratio, 3), realRatio: round(r.realRatio, 3), variety: round(r.variety, 3), components };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
  console.log('\n| method | digit | steps | seconds | CPU seconds | share of the digit | nearest-shot ratio | real ratio | variety | components |\n|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.method} | ${r.digit} | ${r.steps} | ${r.seconds} | ${r.cpuSeconds} | ${(100 * r.share).toFixed(1)}% | ${r.ratio} | ${r.realRatio} | ${r.variety} | ${r.components?.join(' ') ?? ''} |`);
  disposeParams(classifier);
}, 24 * 3600_000);

async function runMethod(method: string, model: ModelContents, shots: ImageArray): Promise<{ tuned: ModelContents; components: number[] | null; steps: number }> {
  const [name, overrides = ''] = method.split(':');
  const plain = /^plain-(\d+)$/.exec(name);
  if (plain) {
    const steps = Number(plain[1]);
    const arch = archOf(model, MODEL);
    const trainer = new Trainer({ loss: 'wgan-gp', arch, data: imageDataset(shots, arch.outputRange), seed: 0, batchSize: 8, learningRate: 1e-4 });
    try {
      await startFromModel(trainer, model, MODEL);
      await trainer.run({ steps });
      return { tuned: await modelFromTrainer(trainer, {}), components: null, steps };
    } finally {
      trainer.dispose();
    }
  }
  const options: FineTuneOptions = {};
  const tuneSteps = /^finetune-(\d+)$/.exec(name);
  if (tuneSteps) options.steps = Number(tuneSteps[1]);
  else if (name === 'choice') options.steps = 0;
  else if (name !== 'finetune') throw new Error(`unknown method ${method}`);
  for (const kv of overrides.split('+').filter(Boolean)) {
    const [k, v] = kv.split('=');
    if (k === 'augment') options.augment = v === 'none' ? null : undefined;
    else if (k === 'cutout') options.augment = { ...(options.augment ?? DIFF_AUGMENT_DEFAULT), cutout: Number(v) };
    else if (k === 'translation') options.augment = { ...(options.augment ?? DIFF_AUGMENT_DEFAULT), translation: Number(v) };
    else if (k === 'freeze') options.frozenCriticLayers = Number(v);
    else if (k === 'ema') options.emaDecay = v === 'none' ? null : Number(v);
    else if (k === 'lr') options.learningRate = Number(v);
    else if (k === 'batch') options.batchSize = Number(v);
    else if (k === 'ncritic') options.criticSteps = Number(v);
    else if (k === 'group') options.anchorGroup = Number(v);
    else if (k === 'spread') options.anchorSpread = v === 'none' ? null : v === 'auto' ? 'auto' : Number(v);
    else if (k === 'target') options.spreadTarget = Number(v);
    else if (k === 'ratio') options.componentVoteRatio = Number(v);
    else if (k === 'steps') options.steps = Number(v);
    else if (k === 'components') options.components = v === 'all' ? 'all' : 'nearest';
    else throw new Error(`unknown override ${k}`);
  }
  const result = await fineTune(model, shots, options, MODEL);
  if (result.choice) console.log(JSON.stringify({ votes: result.choice.votes, anchors: result.model.architecture.latentAnchors?.points.length, spread: result.model.architecture.latentAnchors?.spread }));
  return { tuned: result.model, components: result.choice?.allowed ?? null, steps: result.stepsRun };
}

/** N samples in [0, 1] at SAMPLE_SEED. */
async function drawSamples(model: ModelContents, n: number): Promise<Float32Array> {
  const generator = generatorFromModel(model, 'tuned');
  const { latentDim } = generator.config;
  const out = new Float32Array(n * SIZE);
  for (let start = 0; start < n; start += 250) {
    const count = Math.min(250, n - start);
    const z = await seededLatents(count, latentDim, SAMPLE_SEED * 1000 + start);
    const x = tf.tidy(() => tf.clipByValue(generator.apply(generator.params, tf.tensor2d(z, [count, latentDim])), 0, 1));
    out.set((await x.data()) as Float32Array, start * SIZE);
    x.dispose();
  }
  disposeParams(generator.params);
  return out;
}

function toFloats({ data }: ImageArray): Float32Array {
  return Float32Array.from(data as Uint8Array, (v) => v / 255);
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
