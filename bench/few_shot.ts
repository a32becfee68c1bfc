/**
 * Few-shot fine-tuning measured (issue 26, docs/finetune.md), shared by `npm run bench --
 * finetune` (bench/finetune.bench.ts) and scripts/finetune_table.script.ts: for a digit, SHOTS
 * images of it picked from MNIST's *test* set (never the training set the model saw), a method
 * run on them, then SAMPLES samples scored by the project's classifier (the share of the digit)
 * and by their median distance to the nearest shot over the typical distance between two real
 * test images of the digit (metrics/few_shot.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageArray } from '../src/data/images';
import { imageDataset } from '../src/data/images';
import type { ModelContents } from '../src/io/codec';
import { fineTune } from '../src/io/finetune';
import { archOf, generatorFromModel, modelFromTrainer, startFromModel } from '../src/io/networks';
import { classifierOutputs, predictedClasses } from '../src/metrics/classifier_quality';
import { nearestShotRatio, pickShots } from '../src/metrics/few_shot';
import type { LatentAnchors } from '../src/models/latent_mixture';
import type { ParamTensors } from '../src/nn/params';
import { disposeParams } from '../src/nn/params';
import { loadMnist, loadMnistLabels } from '../src/node/mnist';
import { seededLatents } from '../src/sample/latent_paths';
import { DIFF_AUGMENT_DEFAULT } from '../src/train/diff_augment';
import type { FineTuneOptions } from '../src/train/finetune';
import { Trainer } from '../src/train/trainer';

/** docs/finetune.md's protocol. */
export const FEW_SHOT = { shots: 10, reals: 400, pickSeed: 26, samples: 1000, sampleSeed: 1 };
const SIZE = 28 * 28;
/** Samples are drawn in batches of this many. */
const SAMPLE_BATCH = 250;

export interface FewShotSet {
  digit: number;
  shots: ImageArray & { data: Uint8Array };
  /** Held-out real test images of the digit: what real variety reads. */
  reals: ImageArray & { data: Uint8Array };
}

/** The shots and real images of `digit` from MNIST's test set, picked as docs/finetune.md's tables pick them. */
export async function mnistFewShotSet(
  digit: number,
  shots = FEW_SHOT.shots,
  pickSeed = FEW_SHOT.pickSeed,
): Promise<FewShotSet> {
  const [test, labels] = [await loadMnist('test'), await loadMnistLabels('test')];
  const picked = pickShots(labels, digit, shots, FEW_SHOT.reals, pickSeed);
  const pick = (list: number[]): ImageArray & { data: Uint8Array } => {
    const data = new Uint8Array(list.length * SIZE);
    list.forEach((idx, k) => data.set((test.data as Uint8Array).subarray(idx * SIZE, (idx + 1) * SIZE), k * SIZE));
    return { data, shape: [list.length, 28, 28, 1] };
  };
  return { digit, shots: pick(picked.shots), reals: pick(picked.reals) };
}

export interface MethodRun {
  tuned: ModelContents;
  components: number[] | null;
  /** The choice of components' votes per component (null: no choice made). */
  votes: number[] | null;
  steps: number;
  /** The method's wall time (the choice of components included). */
  seconds: number;
  /** The process's CPU time over it: one WASM thread's work, which a loaded machine stretches less than the wall. */
  cpuSeconds: number;
  /** The anchors' count and spread (null: none). */
  anchors: { count: number; spread: number } | null;
}

/**
 * Runs a method on the shots: `plain-S` (train --init's run: wgan-gp, batch 8, lr 1e-4, no
 * average, S steps), `finetune` (fineTune with its defaults), `finetune-S` (its defaults, S
 * steps), `choice` (the choice of components alone), and `finetune-S:key=value+key=value` to
 * override options (augment=none, cutout=0, translation=0.25, freeze=0, ema=none, lr=2e-4,
 * batch=16, ncritic=2, spread=0.6|auto|none, target=0.75, group=3, ratio=1, steps=N, components=all).
 */
export async function runMethod(
  method: string,
  model: ModelContents,
  shots: ImageArray,
  source: string,
): Promise<MethodRun> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const seconds = () => (performance.now() - started) / 1000;
  const cpuSeconds = () => {
    const { user, system } = process.cpuUsage(cpuStart);
    return (user + system) / 1e6;
  };
  const [name, overrides = ''] = method.split(':');
  const plain = /^plain-(\d+)$/.exec(name);
  if (plain) {
    const steps = Number(plain[1]);
    const arch = archOf(model, source);
    const trainer = new Trainer({
      loss: 'wgan-gp',
      arch,
      data: imageDataset(shots, arch.outputRange),
      seed: 0,
      batchSize: 8,
      learningRate: 1e-4,
    });
    try {
      await startFromModel(trainer, model, source);
      await trainer.run({ steps });
      return {
        tuned: await modelFromTrainer(trainer, {}),
        components: null,
        votes: null,
        steps,
        seconds: seconds(),
        cpuSeconds: cpuSeconds(),
        anchors: null,
      };
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
    else if (k === 'translation')
      options.augment = { ...(options.augment ?? DIFF_AUGMENT_DEFAULT), translation: Number(v) };
    else if (k === 'freeze') options.frozenCriticLayers = Number(v);
    else if (k === 'ema') options.emaDecay = v === 'none' ? null : Number(v);
    else if (k === 'lr') options.learningRate = Number(v);
    else if (k === 'batch') options.batchSize = Number(v);
    else if (k === 'ncritic') options.criticSteps = Number(v);
    else if (k === 'spread') options.anchorSpread = v === 'none' ? null : v === 'auto' ? 'auto' : Number(v);
    else if (k === 'target') options.spreadTarget = Number(v);
    else if (k === 'group') options.anchorGroup = Number(v);
    else if (k === 'ratio') options.componentVoteRatio = Number(v);
    else if (k === 'steps') options.steps = Number(v);
    else if (k === 'components') options.components = v === 'all' ? 'all' : 'nearest';
    else throw new Error(`unknown override ${k}`);
  }
  const result = await fineTune(model, shots, options, source);
  const anchors = result.model.architecture.latentAnchors as LatentAnchors | undefined;
  return {
    tuned: result.model,
    components: result.choice?.allowed ?? null,
    votes: result.choice?.votes ?? null,
    steps: result.stepsRun,
    seconds: seconds(),
    cpuSeconds: cpuSeconds(),
    anchors: anchors == null ? null : { count: anchors.points.length, spread: anchors.spread },
  };
}

export interface FewShotQuality {
  /** Share of the samples the classifier reads as the digit. */
  share: number;
  /** Median nearest-shot distance over the typical real pair distance. */
  ratio: number;
  /** The same for the real held-out images. */
  realRatio: number;
  /** The median distance between two samples over the typical real pair distance (real images: about 1). */
  variety: number;
}

/** `n` samples of `model` at the protocol's seed, scored against the set. */
export async function fewShotQuality(
  model: ModelContents,
  set: FewShotSet,
  classifier: ParamTensors,
  n = FEW_SHOT.samples,
): Promise<FewShotQuality> {
  const samples = await drawSamples(model, n);
  const { probabilities } = await classifierOutputs(classifier, samples);
  const share = predictedClasses(probabilities).filter((c) => c === set.digit).length / n;
  const r = nearestShotRatio(samples, unitFloats(set.shots), unitFloats(set.reals), SIZE);
  return { share, ratio: r.ratio, realRatio: r.realRatio, variety: r.variety };
}

/** `n` samples in [0, 1], in batches of SAMPLE_BATCH, batch b from seed FEW_SHOT.sampleSeed x 1000 + its first index. */
export async function drawSamples(model: ModelContents, n: number): Promise<Float32Array> {
  const generator = generatorFromModel(model, 'tuned');
  const { latentDim } = generator.config;
  const out = new Float32Array(n * SIZE);
  try {
    for (let start = 0; start < n; start += SAMPLE_BATCH) {
      const count = Math.min(SAMPLE_BATCH, n - start);
      const z = await seededLatents(count, latentDim, FEW_SHOT.sampleSeed * 1000 + start);
      const x = tf.tidy(() =>
        tf.clipByValue(generator.apply(generator.params, tf.tensor2d(z, [count, latentDim])), 0, 1),
      );
      out.set((await x.data()) as Float32Array, start * SIZE);
      x.dispose();
    }
  } finally {
    disposeParams(generator.params);
  }
  return out;
}

const unitFloats = ({ data }: ImageArray): Float32Array => Float32Array.from(data as Uint8Array, (v) => v / 255);
