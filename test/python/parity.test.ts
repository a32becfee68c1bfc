// The PyTorch twin against wgan-edge on every architecture, conditional ones and the DCGAN resampling options included: a model
// folder wgan-edge writes loads into the twin (float32, float16 and uint8 shards), and on the same
// latents, labels and inputs both give the same samples (max abs difference <= 1e-4), critic
// scores, gradient penalty and training gradients: the critic's WGAN-GP objective (double
// backprop through the penalty) and the generator's backward pass under a random upstream
// gradient, batch 6.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { imageDataset } from '../../src/data/images';
import { fineTune } from '../../src/io/finetune';
import type { WeightStorage } from '../../src/io/format';
import { generatorFromModel, modelFromTrainer } from '../../src/io/networks';
import { loadModelDir, saveModelDir } from '../../src/io/node_files';
import { npyFile } from '../../src/io/npy';
import { defaultsFor } from '../../src/losses';
import { inputGradientNorms } from '../../src/losses/penalty';
import { LOSS_NAMES } from '../../src/losses/settings';
import { criticStepsAt, wassersteinCriticLoss } from '../../src/losses/wgan';
import { mixtureWeights } from '../../src/losses/wgan_c';
import { createCritic, createGenerator, paramShapes } from '../../src/models';
import { ARCH_KINDS, archConfig, CRITIC_DOWNSAMPLES, sampleSize, UPSAMPLES, type ArchConfig } from '../../src/models/config';
import { anchorOf, type LatentAnchors } from '../../src/models/latent_mixture';
import { assignParams, disposeParams, readParams } from '../../src/nn/params';
import { generateSamples } from '../../src/sample/generate';
import { learningRateAt } from '../../src/train/optimizers';
import { emaDecayAt, Trainer } from '../../src/train/trainer';
import { Rng } from '../../src/utils/rng';
import { boundaryValues } from '../helpers/anchor_boundaries';
import { archVerdicts, describeWithTorch, maxAbs, maxAbsDiff, PYTHON, readNpy, ROOT, run, writeNpy } from './twin';

const BATCH = 6;
const LAMBDA = 10;
const TOLERANCE = 1e-4;
/** Gradients sum many float32 products in another order on each side: compared relative to their size. */
const GRADIENT_TOLERANCE = 1e-4;

const normals = (rng: Rng, n: number, scale = 1) => Float32Array.from({ length: n }, () => scale * rng.normal());

/** A few-shot fine-tune's anchors written into a dcgan28 mixture's architecture: 5 anchors of its 118 noise values. */
const ANCHORED = archConfig('dcgan28', { dim: 8, latentComponents: 10 });
ANCHORED.latentAnchors = { points: Array.from({ length: 5 }, (_, a) => Array.from(normals(new Rng(300 + a), ANCHORED.latentDim - 10))), spread: 0.7 };

const CASES: { name: string; arch: ArchConfig; storage: WeightStorage; firsts?: number[] }[] = [
  { name: 'mlp (toy), layer-norm critic', arch: archConfig('mlp', { hidden: 32, criticNorm: 'layer' }), storage: 'float32' },
  { name: 'dcgan28', arch: archConfig('dcgan28', { dim: 8 }), storage: 'float32' },
  { name: 'dcgan28, latent mixture of 10 (3 allowed), float16 shards', arch: archConfig('dcgan28', { dim: 8, latentComponents: 10, latentComponentsAllowed: [2, 5, 7] }), storage: 'float16' },
  { name: 'dcgan32 (tanh), layer-norm critic, uint8 shards', arch: archConfig('dcgan32', { dim: 8, criticNorm: 'layer' }), storage: 'uint8' },
  // z_0 one float32 step below and at the first three anchor boundaries: another erf, or Phi in float32, picks a neighbouring anchor for one of each pair.
  { name: 'dcgan28, latent anchors (5, spread 0.7), latents at the anchor boundaries', arch: ANCHORED, storage: 'float32', firsts: boundaryValues(5, 1).slice(0, BATCH) },
  { name: 'mlp (toy), conditional on 3 labels, layer-norm critic', arch: archConfig('mlp', { hidden: 32, criticNorm: 'layer', labels: 3 }), storage: 'float32' },
  { name: 'dcgan28, conditional on 10 labels, float16 shards', arch: archConfig('dcgan28', { dim: 8, labels: 10 }), storage: 'float16' },
  { name: 'dcgan28, latent mixture of 10 and conditional on 10 labels', arch: archConfig('dcgan28', { dim: 8, latentComponents: 10, labels: 10 }), storage: 'float32' },
  // The resampling options (resample.ts). dcgan28's critic pools 7x7 to 4x4: the last window of a row holds 1 or 2 real cells, which 'same' pooling averages alone.
  { name: 'dcgan28, nearest upsampling, average-pooling critic', arch: archConfig('dcgan28', { dim: 8, upsample: 'nearest', criticDownsample: 'avgpool' }), storage: 'float32' },
  {
    name: 'dcgan28, bilinear upsampling, average-pooling layer-norm critic, conditional on 10 labels',
    arch: archConfig('dcgan28', { dim: 8, upsample: 'bilinear', criticDownsample: 'avgpool', criticNorm: 'layer', labels: 10 }),
    storage: 'float32',
  },
  { name: 'dcgan32 (tanh), nearest upsampling, average-pooling critic, float16 shards', arch: archConfig('dcgan32', { dim: 8, upsample: 'nearest', criticDownsample: 'avgpool' }), storage: 'float16' },
  { name: 'dcgan32 (tanh), bilinear upsampling, strided critic', arch: archConfig('dcgan32', { dim: 8, upsample: 'bilinear', criticDownsample: 'strided' }), storage: 'float32' },
];
/** A conditional case's labels, batch 6: drawn, with two samples of one label so a mixed-up row shows. */
const labelsFor = (arch: ArchConfig, rng: Rng) => {
  if (arch.labels == null) return undefined;
  const labels = Int32Array.from({ length: BATCH }, () => rng.int(arch.labels!));
  labels[BATCH - 1] = labels[0];
  return labels;
};
const flatByName = (arrays: Record<string, { values: Float32Array }>) => {
  const names = Object.keys(arrays).sort();
  return Float32Array.from(names.flatMap((name) => Array.from(arrays[name].values)));
};

describeWithTorch('PyTorch twin: parity with wgan-edge', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-twin-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(CASES.map((c, i) => ({ ...c, index: i })))('$name', async ({ arch, storage, firsts, index }) => {
    const before = tf.memory().numTensors;
    const folder = join(dir, `model${index}`);
    const made = { generator: createGenerator(arch, 11 + index), critic: createCritic(arch, 101 + index) };
    await saveModelDir(folder, {
      architecture: { ...arch },
      latentDim: arch.latentDim,
      outputShape: arch.outputShape,
      outputRange: arch.outputRange,
      provenance: {},
      generator: await readParams(made.generator.params),
      critic: await readParams(made.critic.params),
    }, storage);
    disposeParams(made.generator.params);
    disposeParams(made.critic.params);
    // Both sides read the folder: quantised shards mean the same decoded weights on each.
    const model = await loadModelDir(folder);
    const generator = generatorFromModel(model, folder);
    const critic = createCritic(arch, 0);
    assignParams(critic.params, model.critic!, folder);

    const rng = new Rng(7 + index);
    const size = sampleSize(arch);
    const sampleShape = [BATCH, ...arch.outputShape];
    const z = normals(rng, BATCH * arch.latentDim, 1.5);
    firsts?.forEach((v, i) => (z[i * arch.latentDim] = v));
    const labels = labelsFor(arch, rng);
    const samples = (await generateSamples(generator, z, 'float32', labels)).values;
    const x = normals(rng, BATCH * size);
    const eps = Array.from({ length: BATCH }, () => rng.uniform());
    const xhat = Float32Array.from(x, (v, i) => eps[Math.floor(i / size)] * v + (1 - eps[Math.floor(i / size)]) * samples[i]);
    const u = normals(rng, BATCH * size);
    const inputs = join(dir, `inputs${index}`);
    const outputs = join(dir, `outputs${index}`);
    await run('mkdir', ['-p', inputs, outputs]);
    await writeNpy(join(inputs, 'z.npy'), z, [BATCH, arch.latentDim]);
    for (const [name, values] of Object.entries({ x, fake: samples, xhat, u })) await writeNpy(join(inputs, `${name}.npy`), values, sampleShape);
    if (labels != null) await writeFile(join(inputs, 'labels.npy'), npyFile(Uint8Array.from(labels), [BATCH]));

    const twin = run(PYTHON, [join(ROOT, 'test/python/twin_outputs.py'), folder, inputs, outputs, String(LAMBDA)]);

    // Made and disposed in each tidy: the label tensor of every critic pass, the penalty's included.
    const labelTensor = () => (labels == null ? undefined : tf.tensor1d(labels, 'int32'));
    const D = (input: tf.Tensor) => critic.apply(critic.params, input, labelTensor());
    const scores = tf.tidy(() => D(tf.tensor(x, sampleShape)));
    const penaltyAt = (interpolates: tf.Tensor) => tf.mean(tf.square(tf.sub(inputGradientNorms(D, interpolates), 1)));
    const penalty = tf.tidy(() => penaltyAt(tf.tensor(xhat, sampleShape)));
    const criticGrads = tf.tidy(() => {
      const [real, fake, interpolates] = [x, samples, xhat].map((v) => tf.tensor(v, sampleShape));
      const { grads } = tf.variableGrads(() => {
        const base = wassersteinCriticLoss(tf.reshape(D(real), [-1]) as tf.Tensor1D, tf.reshape(D(fake), [-1]) as tf.Tensor1D);
        return tf.add(base, tf.mul(penaltyAt(interpolates), LAMBDA)) as tf.Scalar;
      }, Object.values(critic.params));
      return grads;
    });
    const generatorGrads = tf.tidy(() => {
      const latents = tf.tensor2d(z, [BATCH, arch.latentDim]);
      return tf.variableGrads(() => tf.sum(tf.mul(generator.apply(generator.params, latents, labelTensor()), tf.tensor(u, sampleShape))) as tf.Scalar, Object.values(generator.params)).grads;
    });
    const byName = async (grads: tf.NamedTensorMap, params: Record<string, tf.Variable>) => {
      const named = Object.fromEntries(Object.entries(params).map(([name, v]) => [name, grads[v.name]]));
      return flatByName(await readParams(named));
    };
    const expected = {
      samples,
      scores: await scores.data(),
      penalty: await penalty.data(),
      critic_grads: await byName(criticGrads, critic.params),
      generator_grads: await byName(generatorGrads, generator.params),
    };
    tf.dispose([scores, penalty, ...Object.values(criticGrads), ...Object.values(generatorGrads)]);
    disposeParams(generator.params);
    disposeParams(critic.params);
    expect(tf.memory().numTensors).toBe(before);

    const result = await twin;
    expect(result.code, result.stderr).toBe(0);
    const got = Object.fromEntries(await Promise.all(Object.keys(expected).map(async (name) => [name, (await readNpy(join(outputs, `${name}.npy`))).values] as const)));
    expect((await readNpy(join(outputs, 'samples.npy'))).shape).toEqual(sampleShape);
    // The samples and scores vary far more than the tolerance: a wrong layout could not pass unseen.
    expect(maxAbs(samples.map((v, i) => v - samples[i % size]))).toBeGreaterThan(100 * TOLERANCE);
    expect(maxAbsDiff(got.samples, expected.samples)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(got.scores, expected.scores)).toBeLessThanOrEqual(TOLERANCE * Math.max(1, maxAbs(expected.scores)));
    expect(maxAbs(expected.penalty)).toBeGreaterThan(0);
    expect(maxAbsDiff(got.penalty, expected.penalty)).toBeLessThanOrEqual(TOLERANCE * Math.max(1, maxAbs(expected.penalty)));
    for (const name of ['critic_grads', 'generator_grads'] as const) {
      expect(maxAbs(expected[name]), name).toBeGreaterThan(0);
      expect(maxAbsDiff(got[name], expected[name]) / maxAbs(expected[name]), name).toBeLessThanOrEqual(GRADIENT_TOLERANCE);
    }
  });
});

describeWithTorch('PyTorch twin: resampling options', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-twin-resampling-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("validate_arch takes and refuses upsample and criticDownsample as config.ts's validateArch does, with its message", async () => {
    const good = [
      ...UPSAMPLES.map((upsample) => ({ ...archConfig('dcgan28', { dim: 4 }), upsample })),
      ...CRITIC_DOWNSAMPLES.map((criticDownsample) => ({ ...archConfig('dcgan32', { dim: 4 }), criticDownsample })),
    ];
    const bad = [
      ...['bicubic', 'Nearest', '', null, 2, ['nearest']].map((upsample) => ({ ...archConfig('dcgan28', { dim: 4 }), upsample })),
      ...['maxpool', 'avgPool', null, true].map((criticDownsample) => ({ ...archConfig('dcgan32', { dim: 4 }), criticDownsample })),
      { ...archConfig('mlp'), upsample: 'nearest' },
      { ...archConfig('mlp'), criticDownsample: 'strided' },
    ];
    const { twin, edge } = await archVerdicts([...good, ...bad], dir);
    expect(edge.slice(0, good.length)).toEqual(good.map(() => null));
    expect(edge.slice(good.length).every((m) => m != null && /(upsample|criticDownsample) (must be|is for the dcgan kinds)/.test(m))).toBe(true);
    expect(twin).toEqual(edge);
  });

  it('train --upsample / --critic-downsample: the export records them and samples in wgan-edge as in the twin; a resume or --init must repeat them', async () => {
    const before = tf.memory().numTensors;
    const twin = (...args: string[]) => run(PYTHON, ['-m', 'wgan_edge_torch', ...args]);
    const common = ['--dim', '2', '--batch', '4', '--threads', '1', '--device', 'cpu'];
    const out = join(dir, 'run.pt');
    const folder = join(dir, 'model');
    const train = await twin('train', '--data', 'mnist', ...common, '--steps', '2', '--upsample', 'bilinear', '--critic-downsample', 'avgpool', '--out', out);
    expect(train.code, train.stderr).toBe(0);
    const exported = await twin('export', out, '--out', folder);
    expect(exported.code, exported.stderr).toBe(0);
    const arch = archConfig('dcgan28', { dim: 2, upsample: 'bilinear', criticDownsample: 'avgpool' });
    const modelJson = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
    expect(modelJson.architecture).toEqual(arch);
    for (const network of ['generator', 'critic'] as const) {
      const group = modelJson.weightsManifest.find((g: { network: string }) => g.network === network);
      expect(Object.fromEntries(group.weights.map((w: { name: string; shape: number[] }) => [w.name, w.shape]))).toEqual(paramShapes(arch, network));
    }

    const n = 4;
    const zPath = join(dir, 'z.npy');
    const z = normals(new Rng(5), n * arch.latentDim);
    await writeNpy(zPath, z, [n, arch.latentDim]);
    const sampled = await twin('sample', out, '--latents', zPath, '--out', join(dir, 'twin.npy'));
    expect(sampled.code, sampled.stderr).toBe(0);
    const generator = generatorFromModel(await loadModelDir(folder), folder);
    const expected = (await generateSamples(generator, z)).values;
    disposeParams(generator.params);
    expect(tf.memory().numTensors).toBe(before);
    expect(maxAbsDiff((await readNpy(join(dir, 'twin.npy'))).values, expected)).toBeLessThanOrEqual(TOLERANCE);

    const changed = await twin('train', ...common, '--steps', '3', '--upsample', 'nearest', '--out', out, '--resume');
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain(`--resume: ${out} was trained with --upsample bilinear, not --upsample nearest`);
    const toy = await twin('train', '--data', '8gaussians', '--critic-downsample', 'avgpool', '--steps', '1', '--out', join(dir, 'toy.pt'));
    expect(toy.code).toBe(2);
    expect(toy.stderr).toContain('--critic-downsample is for the dcgan kinds: --data 8gaussians trains the mlp networks');
    const init = ['train', '--data', 'mnist', ...common, '--init', folder];
    const mismatched = await twin(...init, '--steps', '4', '--upsample', 'transposed', '--out', join(dir, 'init.pt'));
    expect(mismatched.code).toBe(2);
    expect(mismatched.stderr).toContain(`--init ${folder}: its networks have upsample bilinear, not --upsample transposed`);
    // An --init run's networks are its model's, on a resume too (the checkpoint holds them).
    const baseSeconds = 1000; // far above this test's own training time, so the count-on shows
    await writeFile(join(folder, 'model.json'), JSON.stringify({ ...modelJson, provenance: { ...modelJson.provenance, seconds: baseSeconds } }));
    const started = await twin(...init, '--steps', '3', '--critic-downsample', 'avgpool', '--out', join(dir, 'init.pt'));
    expect(started.code, started.stderr).toBe(0);
    const resumed = await twin('train', '--steps', '4', '--threads', '1', '--device', 'cpu', '--out', join(dir, 'init.pt'), '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    // Steps and training time count on from the model's, as wgan-edge's train --init counts them.
    const continued = join(dir, 'continued');
    expect((await twin('export', join(dir, 'init.pt'), '--out', continued)).code).toBe(0);
    const { provenance } = JSON.parse(await readFile(join(continued, 'model.json'), 'utf8'));
    expect(modelJson.provenance.steps).toBe(2);
    expect(provenance.steps).toBe(4);
    expect(provenance.initializedFrom).toEqual({ model: folder, dataset: 'mnist', steps: 2 });
    expect(provenance.seconds).toBeGreaterThan(baseSeconds);
    expect(provenance.seconds).toBeLessThan(baseSeconds + 300);
  }, 300_000);
});

describeWithTorch('PyTorch twin: latent anchors', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-twin-anchors-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the way back: a folder fine-tuned with anchors samples in the twin (sample command) as in wgan-edge, at the boundaries too', async () => {
    const before = tf.memory().numTensors;
    const arch = archConfig('dcgan28', { dim: 2, latentDim: 12, latentComponents: 3 });
    // Bars on a grey background, the few-shot test's images: the tiny model draws on 0.5.
    const images = { data: new Uint8Array(5 * 784).fill(80), shape: [5, 28, 28, 1] as [number, number, number, number] };
    [6, 7, 6, 8, 6].forEach((row, i) => images.data.fill(230, i * 784 + row * 28 + 2, i * 784 + row * 28 + 26));
    const trainer = new Trainer({ loss: 'wgan-gp', arch, data: imageDataset(images, arch.outputRange), seed: 1, batchSize: 4 });
    const base = await modelFromTrainer(trainer, { dataset: 'bars' });
    trainer.dispose();
    const tuned = (await fineTune(base, images, { steps: 2, batchSize: 4, seed: 2 })).model;
    const anchors = tuned.architecture.latentAnchors as LatentAnchors;
    // Two anchors at least, or there is no boundary to check.
    expect(anchors.points.length).toBeGreaterThanOrEqual(2);
    const folder = join(dir, 'tuned');
    await saveModelDir(folder, tuned);

    // Latents at every boundary, one float32 step either side, then ordinary ones.
    const firsts = boundaryValues(anchors.points.length, 1);
    const n = firsts.length + 8;
    const z = normals(new Rng(17), n * arch.latentDim);
    firsts.forEach((v, i) => (z[i * arch.latentDim] = v));
    const zPath = join(dir, 'z.npy');
    const outPath = join(dir, 'twin.npy');
    await writeNpy(zPath, z, [n, arch.latentDim]);
    const twin = run(PYTHON, ['-m', 'wgan_edge_torch', 'sample', folder, '--latents', zPath, '--out', outPath]);

    const generator = generatorFromModel(await loadModelDir(folder), folder);
    const expected = (await generateSamples(generator, z)).values;
    disposeParams(generator.params);
    expect(tf.memory().numTensors).toBe(before);
    const result = await twin;
    expect(result.code, result.stderr).toBe(0);
    const got = await readNpy(outPath);
    expect(got.shape).toEqual([n, ...arch.outputShape]);
    expect(maxAbsDiff(got.values, expected)).toBeLessThanOrEqual(TOLERANCE);
  });

  it("anchor_of picks anchorOf's anchor on the float32 values next to every boundary (1, 2, 3, 7 and 64 anchors)", async () => {
    const cases = [1, 2, 3, 7, 64].map((count) => ({ count, firsts: [...boundaryValues(count, 6), -12, -3, 0, 3, 12] }));
    const path = join(dir, 'firsts.json');
    // float32 values written as float64 (JSON) are the same numbers: the twin's float32 cast keeps them.
    await writeFile(path, JSON.stringify(cases));
    const script = `
import json, sys
import torch
from wgan_edge_torch.networks import anchor_of
print(json.dumps([anchor_of(torch.tensor(c['firsts'], dtype=torch.float32), c['count']).tolist() for c in json.load(open(sys.argv[1]))]))`;
    const r = await run(PYTHON, ['-c', script, path]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(cases.map(({ count, firsts }) => firsts.map((v) => anchorOf([v], count))));
  });

  it("refuses bad latentAnchors with config.ts's message, and takes good ones", async () => {
    const base = archConfig('mlp', { latentDim: 6, latentComponents: 2 });
    const points = [[0.5, -1, 2, 0], [1, 1, 1, 1]];
    const anchorsOf = [
      { points, spread: 0.5 },
      { points: [], spread: 0.5 },
      { points: [[1, 2]], spread: 0.5 },
      { points: [[1, 2, 3, null]], spread: 0.5 },
      { points, spread: 0 },
      { points, spread: 1.5 },
      { points, spread: '0.5' },
      { points },
      null,
      [points],
    ];
    const configs = [...anchorsOf.map((latentAnchors) => ({ ...base, latentAnchors })), { ...archConfig('mlp'), latentAnchors: { points: [[1, 2]], spread: 0.5 } }];
    const { twin, edge } = await archVerdicts(configs, dir);
    expect(edge[0]).toBeNull();
    expect(edge.slice(1).every((m) => m != null && m.includes('latentAnchors must be'))).toBe(true);
    expect(twin).toEqual(edge);
  });
});

describeWithTorch('PyTorch twin: settings and schedules', () => {
  it("every loss's defaults per architecture, and the schedules step by step, are wgan-edge's", async () => {
    const steps = [0, 1, 24, 25, 499, 500, 501, 2500, 4999, 5000, 7500, 9999, 10000, 20000];
    const script = `
import json
from wgan_edge_torch.losses import LOSS_NAMES, default_settings, critic_steps_at, ema_decay_at, learning_rate_at, mixture_weights
steps = ${JSON.stringify(steps)}
out = {}
for loss in LOSS_NAMES:
    for kind in ('mlp', 'dcgan28', 'dcgan32'):
        s = {**default_settings(loss, kind), 'learningRateDecay': {'start': 2500, 'end': 10000}}
        out[loss + '/' + kind] = {'settings': default_settings(loss, kind), 'criticSteps': [critic_steps_at(t, s) for t in steps],
            'lr': [learning_rate_at(s, t) for t in steps], 'ema': [ema_decay_at(t, 0.999) for t in steps],
            'mixture': [mixture_weights(s['curriculum'], t) for t in steps] if s['curriculum'] else None}
print(json.dumps(out))`;
    const r = await run(PYTHON, ['-c', script]);
    expect(r.code, r.stderr).toBe(0);
    const twin = JSON.parse(r.stdout);
    for (const loss of LOSS_NAMES) {
      for (const kind of ARCH_KINDS) {
        const settings = defaultsFor(loss, kind);
        const decayed = { ...settings, learningRateDecay: { start: 2500, end: 10000 } };
        const expected = {
          settings,
          criticSteps: steps.map((t) => criticStepsAt(t, decayed)),
          lr: steps.map((t) => learningRateAt(decayed, t)),
          ema: steps.map((t) => emaDecayAt(t, 0.999)),
          mixture: settings.curriculum ? steps.map((t) => mixtureWeights(settings.curriculum!, t)) : null,
        };
        const got = twin[`${loss}/${kind}`];
        expect(got.settings, `${loss}/${kind}`).toEqual(expected.settings);
        expect(got.criticSteps).toEqual(expected.criticSteps);
        for (const name of ['lr', 'ema'] as const) got[name].forEach((v: number, i: number) => expect(v).toBeCloseTo(expected[name][i], 15));
        expect(got.mixture == null).toBe(expected.mixture == null);
        got.mixture?.forEach((w: number[], i: number) => w.forEach((v, k) => expect(v).toBeCloseTo(expected.mixture![i][k], 12)));
      }
    }
  });
});
