import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import type { Dataset } from '../../src/data/dataset';
import { imageDataset } from '../../src/data/images';
import { toyDataset } from '../../src/data/toy';
import { generatorFromModel, modelFromTrainer, startFromModel } from '../../src/io/networks';
import { archConfig } from '../../src/models/config';
import { latents } from '../../src/sample/latents';
import {
  emaDecayAt,
  Trainer,
  TrainingDivergedError,
  type StepMetrics,
  type TrainerConfig,
} from '../../src/train/trainer';
import { expectStatesIdentical } from './helpers';

const arch = archConfig('mlp', { hidden: 16, depth: 2 });
const data = toyDataset('8gaussians');
const small = { arch, data, seed: 7, batchSize: 16 };

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

async function samples(trainer: Trainer): Promise<Float32Array> {
  const out = tf.tidy(() => trainer.generator.apply(trainer.generator.params, latents(8, arch.latentDim, 123)));
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return values;
}

/** Yields NaN points on its `poisonedCall`-th batch (1-based), real ones otherwise. */
function poisoned(poisonedCall: number): Dataset {
  let calls = 0;
  return {
    sampleShape: [2],
    next: (batchSize, rng) => {
      const batch = data.next(batchSize, rng);
      if (++calls !== poisonedCall) return batch;
      batch.dispose();
      return tf.fill([batchSize, 2], NaN);
    },
  };
}

describe('Trainer', () => {
  it('same seed and backend: identical weights and samples; another seed differs', async () => {
    const run = async (seed: number) => {
      const trainer = new Trainer({ ...small, loss: 'wgan-gp', seed });
      await trainer.run({ steps: 3 });
      const result = { state: await trainer.getState(), samples: await samples(trainer) };
      trainer.dispose();
      return result;
    };
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expectStatesIdentical(a.state, b.state);
    expect(Array.from(a.samples)).toEqual(Array.from(b.samples));
    expect(Array.from(a.samples)).not.toEqual(Array.from(c.samples));
  });

  it('EMA: warm-up decay min(d, (1+t)/(10+t)), and the average equals a hand-kept one over 3 steps', async () => {
    expect([0, 90, 1000, 1e4].map((t) => emaDecayAt(t, 0.999))).toEqual([0.1, 91 / 100, 1001 / 1010, 0.999]);
    const trainer = new Trainer({ ...small, loss: 'wgan-gp', emaDecay: 0.95 });
    const names = Object.keys(trainer.generator.params);
    const read = async () => Promise.all(names.map((n) => trainer.generator.params[n].data()));
    let expected = await read();
    for (let t = 0; t < 3; t++) {
      await trainer.run({ steps: 1 });
      const d = emaDecayAt(t, 0.95);
      const now = await read();
      expected = expected.map((e, i) => e.map((v, j) => d * v + (1 - d) * now[i][j]));
    }
    const ema = await Promise.all(names.map((n) => trainer.emaGenerator!.params[n].data()));
    ema.forEach((e, i) => e.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 5)));
    trainer.dispose();
  });

  const resumeCases: [string, Omit<TrainerConfig, 'arch' | 'data' | 'seed'>][] = [
    ['gan', { loss: 'gan' }],
    [
      'wgan (RMSProp, clipping, warm-up boundary crossed)',
      { loss: 'wgan', criticWarmup: { criticSteps: 3, firstGeneratorSteps: 2, every: 4 } },
    ],
    ['wgan-gp with EMA', { loss: 'wgan-gp', emaDecay: 0.9 }],
    ['wgan-gp with a learning-rate decay from step 2', { loss: 'wgan-gp', learningRateDecay: { start: 2, end: 9 } }],
    [
      'wgan-c across a curriculum stage',
      { loss: 'wgan-c', curriculum: { critics: 3, schedule: 'step', steps: 6, fade: 0.5 } },
    ],
  ];
  for (const [label, config] of resumeCases) {
    it(`resume from a structured-cloned state equals an unbroken run: ${label}`, async () => {
      const unbroken = new Trainer({ ...small, ...config });
      await unbroken.run({ steps: 7 });
      const first = new Trainer({ ...small, ...config });
      await first.run({ steps: 3 });
      const saved = structuredClone(await first.getState());
      first.dispose();
      const resumed = Trainer.fromState(saved, data);
      expect(resumed.step).toBe(3);
      await resumed.run({ steps: 4 });
      expectStatesIdentical(await resumed.getState(), await unbroken.getState());
      expect(Array.from(await samples(resumed))).toEqual(Array.from(await samples(unbroken)));
      resumed.dispose();
      unbroken.dispose();
    });
  }

  it('resume is bit-identical for image nets too: dcgan28 with layer norm, wgan-gp', async () => {
    const images = archConfig('dcgan28', { dim: 2, latentDim: 4, criticNorm: 'layer' });
    const pixels = new Uint8Array(6 * 28 * 28).map((_, i) => (i * 37) % 256);
    const config = {
      loss: 'wgan-gp' as const,
      arch: images,
      data: imageDataset({ data: pixels, shape: [6, 28, 28, 1] }, images.outputRange),
      seed: 5,
      batchSize: 3,
      nCritic: 2,
    };
    const unbroken = new Trainer(config);
    await unbroken.run({ steps: 3 });
    const first = new Trainer(config);
    await first.run({ steps: 1 });
    const resumed = Trainer.fromState(structuredClone(await first.getState()), config.data);
    first.dispose();
    await resumed.run({ steps: 2 });
    expectStatesIdentical(await resumed.getState(), await unbroken.getState());
    resumed.dispose();
    unbroken.dispose();
  });

  it('readWeights: the averaged generator and the critic of the state; no critic for wgan-c', async () => {
    const gp = new Trainer({ ...small, loss: 'wgan-gp', emaDecay: 0.9 });
    await gp.run({ steps: 2 });
    const state = await gp.getState();
    expect(await gp.readWeights()).toEqual({ step: 2, generator: state.ema, critic: state.critic });
    gp.dispose();
    const c = new Trainer({
      ...small,
      loss: 'wgan-c',
      curriculum: { critics: 3, schedule: 'step', steps: 6, fade: 0.5 },
    });
    await c.run({ steps: 1 });
    const weights = await c.readWeights();
    const cState = await c.getState();
    expect(weights.critic).toBeUndefined();
    expect(weights.generator).toEqual(cState.ema ?? cState.generator);
    c.dispose();
  });

  it("startFromModel: a new trainer takes a model's networks and step, with fresh optimizers, and trains on", async () => {
    const source = new Trainer({ ...small, loss: 'wgan-gp', emaDecay: 0.9 });
    await source.run({ steps: 3 });
    const model = await modelFromTrainer(source, { dataset: '8gaussians' });
    source.dispose();

    const trainer = new Trainer({ ...small, loss: 'wgan-gp', emaDecay: 0.9, seed: 8 });
    const tensors = tf.memory().numTensors;
    // Its architecture with the keys in another order is the same architecture.
    const reordered = Object.fromEntries(Object.entries(model.architecture).reverse());
    await startFromModel(trainer, { ...model, architecture: reordered }, 'source');
    expect(tf.memory().numTensors).toBe(tensors);
    const state = await trainer.getState();
    expect(state.step).toBe(3);
    expect(state.generator).toEqual(model.generator);
    expect(state.ema).toEqual(model.generator);
    expect(state.critic).toEqual(model.critic);
    for (const optimizer of [state.generatorOptimizer, state.criticOptimizer]) {
      expect(optimizer.updates).toBe(0);
      expect(Object.values(optimizer.slots).every((s) => s.values.every((v) => v === 0))).toBe(true);
    }
    // The generator a model file rebuilds, an independent path, draws the same samples.
    const rebuilt = generatorFromModel(model, 'source');
    const z = latents(8, arch.latentDim, 5);
    const [mine, theirs] = [trainer.generator.apply(trainer.generator.params, z), rebuilt.apply(rebuilt.params, z)];
    expect(Array.from(await mine.data())).toEqual(Array.from(await theirs.data()));
    tf.dispose([z, mine, theirs, ...Object.values(rebuilt.params)]);

    await trainer.run({ steps: 2 });
    expect(trainer.step).toBe(5);
    const after = await trainer.getState();
    expect(after.generatorOptimizer.updates).toBe(2);
    expect(after.generator).not.toEqual(model.generator);
    trainer.dispose();

    const narrow = new Trainer({ ...small, arch: archConfig('mlp', { hidden: 8, depth: 2 }), loss: 'wgan-gp' });
    await expect(startFromModel(narrow, model, 'source')).rejects.toThrow(
      /source: its networks are .*"hidden":16.*; this run trains .*"hidden":8/,
    );
    narrow.dispose();
    const plain = new Trainer({ ...small, loss: 'wgan-gp' });
    await expect(startFromModel(plain, { ...model, critic: undefined }, 'source')).rejects.toThrow(
      /source: the model has no critic/,
    );
    await expect(startFromModel(plain, { ...model, provenance: { steps: 2.5 } }, 'source')).rejects.toThrow(
      /provenance.steps must be an integer >= 0, got 2.5/,
    );
    const [first, ...rest] = Object.entries(model.critic!);
    const misnamed = { ...model, critic: Object.fromEntries([[`${first[0]}_x`, first[1]], ...rest]) };
    await expect(startFromModel(plain, misnamed, 'source')).rejects.toThrow(
      new RegExp(`^source: critic weight '${first[0]}' is missing`),
    );
    plain.dispose();
    const c = new Trainer({
      ...small,
      loss: 'wgan-c',
      curriculum: { critics: 3, schedule: 'step', steps: 6, fade: 0.5 },
    });
    await expect(startFromModel(c, model, 'source')).rejects.toThrow(/mixture of critics/);
    c.dispose();
  });

  it('NaN guard: a non-finite loss stops the run with TrainingDivergedError and leaves the last good state', async () => {
    // wgan-gp draws 5 batches per step: call 13 is in step 2 (from 0).
    const trainer = new Trainer({ ...small, loss: 'wgan-gp', data: poisoned(13) });
    await trainer.run({ steps: 2 });
    const good = await trainer.getState();
    const tensors = tf.memory().numTensors;
    const error = await trainer.run({ steps: 3 }).catch((e) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect(error.step).toBe(2);
    expect(error.quantities).toContain('criticLoss');
    expect(error.message).toMatch(/diverged at generator step 2: non-finite criticLoss.*rolled back/);
    expect(trainer.step).toBe(2);
    expectStatesIdentical(await trainer.getState(), good);
    expect(tf.memory().numTensors).toBe(tensors);
    // The data is clean again: training continues from the good state.
    const result = await trainer.run({ steps: 1 });
    expect(Number.isFinite(result.last!.criticLoss)).toBe(true);
    trainer.dispose();
  });

  it('NaN guard: weights that overflow to Inf are caught and rolled back too', async () => {
    // RMSProp's first step is lr * g / sqrt(0.01 g^2) = 10 lr: 1e39 overflows float32.
    const trainer = new Trainer({ ...small, loss: 'gan', optimizer: 'rmsprop', learningRate: 1e38 });
    const initial = await trainer.getState();
    const error = await trainer.run({ steps: 1 }).catch((e) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect(error.quantities).toContain('weights');
    expectStatesIdentical(await trainer.getState(), initial);
    trainer.dispose();
  });

  it('a throwing data set rolls the step back too', async () => {
    let calls = 0;
    const flaky: Dataset = {
      sampleShape: [2],
      next: (n, rng) => (++calls === 3 ? tf.zeros([n + 1, 2]) : data.next(n, rng)),
    };
    const trainer = new Trainer({ ...small, loss: 'wgan-gp', data: flaky });
    const before = await trainer.getState();
    const tensors = tf.memory().numTensors;
    await expect(trainer.run({ steps: 1 })).rejects.toThrow(/batch of shape \[17,2\], expected \[16,2\]/);
    expectStatesIdentical(await trainer.getState(), before);
    expect(tf.memory().numTensors).toBe(tensors);
    trainer.dispose();
  });

  it('abort stops before the next step and resolves with what was done; progress sees every step', async () => {
    const trainer = new Trainer({ ...small, loss: 'wgan-gp' });
    const controller = new AbortController();
    const seen: StepMetrics[] = [];
    const result = await trainer.run({
      steps: 10,
      signal: controller.signal,
      onProgress: async (m) => {
        seen.push(m);
        // getState is allowed between steps.
        expect((await trainer.getState()).step).toBe(m.step);
        if (m.step === 2) controller.abort();
      },
    });
    expect(result).toMatchObject({ stopped: 'aborted', stepsRun: 2, step: 2 });
    expect(seen.map((m) => m.step)).toEqual([1, 2]);
    for (const m of seen) {
      expect(m.criticSteps).toBe(5);
      for (const v of [m.criticLoss, m.wasserstein, m.penalty, m.criticGradNorm, m.generatorLoss, m.generatorGradNorm])
        expect(Number.isFinite(v)).toBe(true);
      expect(m.penalty).toBeGreaterThan(0);
      expect(m.criticGradNorm).toBeGreaterThan(0);
      expect(m.stepMs).toBeGreaterThan(0);
    }
    const again = await trainer.run({ steps: 1, signal: controller.signal });
    expect(again).toMatchObject({ stopped: 'aborted', stepsRun: 0 });
    trainer.dispose();
  });

  it('a signal aborted by a timer stops the run: steps leave room for macrotasks', async () => {
    const trainer = new Trainer({ ...small, loss: 'wgan-gp' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    // Without a macrotask boundary between steps the timer never fires and all 500 steps run.
    const result = await trainer.run({ steps: 500, signal: controller.signal });
    expect(result.stopped).toBe('aborted');
    expect(result.stepsRun).toBeGreaterThan(0);
    expect(result.stepsRun).toBeLessThan(500);
    trainer.dispose();
  });

  it('rejects bad configs, concurrent runs and mismatched states with errors that name the problem', async () => {
    expect(() => new Trainer({ ...small, loss: 'wgan-gp', learningrate: 1 } as never)).toThrow(
      /unknown setting learningrate/,
    );
    expect(() => new Trainer({ ...small, loss: 'wgan-gp', lambda: -1 })).toThrow(/lambda must be a number >= 0/);
    expect(() => new Trainer({ ...small, loss: 'nope' as never })).toThrow(/unknown loss 'nope'/);
    expect(() => new Trainer({ ...small, loss: 'gan', data: { sampleShape: [3], next: data.next } })).toThrow(
      /samples are \[3\].*makes \[2\]/,
    );
    const trainer = new Trainer({ ...small, loss: 'wgan-gp' });
    const first = trainer.run({ steps: 1 });
    // Mid-step the weights are the step's, the step count not yet: a model read there would mix them.
    const readMidStep = trainer.readWeights();
    await expect(trainer.run({ steps: 1 })).rejects.toThrow(/trainer is in the middle of a step/);
    await expect(readMidStep).rejects.toThrow(
      /readWeights: the trainer is in the middle of a step; call it from onProgress/,
    );
    await first;
    const state = await trainer.getState();
    const badShape = structuredClone(state);
    badShape.generator['dense0/kernel'] = { shape: [3, 16], values: new Float32Array(48) };
    expect(() => trainer.setState(badShape)).toThrow(
      /generator: 'dense0\/kernel' has shape \[3,16\], the network needs \[2,16\]/,
    );
    const nonFinite = structuredClone(state);
    nonFinite.critic['output/bias'].values[0] = Infinity;
    expect(() => trainer.setState(nonFinite)).toThrow(/critic: 'output\/bias' holds a non-finite value/);
    const otherLoss = { ...structuredClone(state), loss: 'wgan' as const };
    expect(() => trainer.setState(otherLoss)).toThrow(/'wgan' run/);
    expectStatesIdentical(await trainer.getState(), state);
    trainer.dispose();
    await expect(trainer.run({ steps: 1 })).rejects.toThrow(/disposed/);
  });
});
