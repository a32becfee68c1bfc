import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/backend/gradients';
import { initBackend } from '../../src/backend/init';
import { toyDataset } from '../../src/data/toy';
import { defaultsFor } from '../../src/losses';
import type { Curriculum } from '../../src/losses/settings';
import { criticStepsAt, WGAN_CRITIC_WARMUP } from '../../src/losses/wgan';
import { createMixtureCritic, mixtureWeights } from '../../src/losses/wgan_c';
import { archConfig } from '../../src/models/config';
import { learningRateAt } from '../../src/train/optimizers';
import { Trainer } from '../../src/train/trainer';
import { Rng } from '../../src/utils/rng';
import { expectStatesIdentical } from './helpers';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('WGAN critic warm-up', () => {
  it("100 critic steps for generator steps 0-24 and every 500th, else n_critic (the authors' code)", () => {
    const settings = defaultsFor('wgan', 'mlp');
    expect(settings.criticWarmup).toEqual(WGAN_CRITIC_WARMUP);
    const at = (step: number) => criticStepsAt(step, settings);
    expect([0, 1, 24, 25, 26, 499, 500, 501, 1000, 1499].map(at)).toEqual([100, 100, 100, 5, 5, 5, 100, 5, 100, 5]);
    expect(criticStepsAt(0, defaultsFor('wgan-gp', 'mlp'))).toBe(5);
    expect(criticStepsAt(0, defaultsFor('gan', 'mlp'))).toBe(1);
  });

  it('the trainer performs and reports the scheduled critic steps', async () => {
    const trainer = new Trainer({
      loss: 'wgan',
      arch: archConfig('mlp', { hidden: 8, depth: 1 }),
      data: toyDataset('8gaussians'),
      seed: 1,
      batchSize: 8,
      criticWarmup: { criticSteps: 4, firstGeneratorSteps: 1, every: 3 },
      nCritic: 2,
    });
    const seen: number[] = [];
    await trainer.run({ steps: 7, onProgress: (m) => void seen.push(m.criticSteps) });
    expect(seen).toEqual([4, 2, 2, 4, 2, 2, 4]);
    // Every critic update is followed by clipping to [-0.01, 0.01].
    const state = await trainer.getState();
    for (const { values } of Object.values(state.critic))
      for (const v of values) expect(Math.abs(v)).toBeLessThanOrEqual(0.01);
    trainer.dispose();
  });
});

describe('WGAN-C curriculum', () => {
  const linear: Curriculum = { critics: 3, schedule: 'linear', steps: 100, fade: 1 };
  const step: Curriculum = { critics: 3, schedule: 'step', steps: 100, fade: 0.5 };
  const close = (got: number[], want: number[]) => got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 10));

  it('linear: the weight slides along the chain of critics', () => {
    close(mixtureWeights(linear, 0), [1, 0, 0]);
    close(mixtureWeights(linear, 25), [0.5, 0.5, 0]);
    close(mixtureWeights(linear, 50), [0, 1, 0]);
    close(mixtureWeights(linear, 60), [0, 0.8, 0.2]);
    close(mixtureWeights(linear, 100), [0, 0, 1]);
    close(mixtureWeights(linear, 1000), [0, 0, 1]);
  });

  it('step: hold each critic for half a stage, then fade into the next', () => {
    close(mixtureWeights(step, 0), [1, 0, 0]);
    close(mixtureWeights(step, 20), [1, 0, 0]);
    close(mixtureWeights(step, 25), [1, 0, 0]);
    close(mixtureWeights(step, 40), [0.4, 0.6, 0]);
    close(mixtureWeights(step, 50), [0, 1, 0]);
    close(mixtureWeights(step, 70), [0, 1, 0]);
    close(mixtureWeights(step, 90), [0, 0.4, 0.6]);
    close(mixtureWeights(step, 100), [0, 0, 1]);
    // fade 1 is the linear schedule.
    for (const s of [0, 13, 37, 50, 81, 100]) close(mixtureWeights({ ...step, fade: 1 }, s), mixtureWeights(linear, s));
  });

  it('weights are a convex combination at every step', () => {
    for (const curriculum of [linear, step, { ...step, critics: 4, steps: 7 }]) {
      for (let s = 0; s <= 120; s++) {
        const w = mixtureWeights(curriculum, s);
        expect(w.every((x) => x >= 0)).toBe(true);
        expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      }
    }
  });

  it('the mixture critic is the weighted sum of critics of rising width', () => {
    const arch = archConfig('mlp', { hidden: 16, depth: 2 });
    const mixture = createMixtureCritic(arch, 3, 5);
    expect(mixture.members.map((m) => (m.config as typeof arch).hidden)).toEqual([4, 8, 16]);
    expect(mixture.params['critic2/dense0/kernel'].shape).toEqual([2, 16]);
    const x = toyDataset('8gaussians').next(5, new Rng(3));
    const scores = mixture.members.map((m) => m.apply(m.params, x).arraySync() as number[][]);
    const mixed = mixture.apply(mixture.params, x, [0.2, 0.3, 0.5]).arraySync() as number[][];
    mixed.forEach(([v], i) =>
      expect(v).toBeCloseTo(0.2 * scores[0][i][0] + 0.3 * scores[1][i][0] + 0.5 * scores[2][i][0], 5),
    );
    expect(() => mixture.apply(mixture.params, x, [0, 0, 0])).toThrow(/all weights are zero/);
    x.dispose();
    Object.values(mixture.params).forEach((v) => v.dispose());
  });

  it('the trainer reports the weights and trains only the critics in the mixture', async () => {
    const trainer = new Trainer({
      loss: 'wgan-c',
      arch: archConfig('mlp', { hidden: 8, depth: 1 }),
      data: toyDataset('8gaussians'),
      seed: 2,
      batchSize: 8,
      curriculum: { critics: 2, schedule: 'step', steps: 4, fade: 0.5 },
    });
    const before = await trainer.getState();
    const weights: number[][] = [];
    await trainer.run({ steps: 2, onProgress: (m) => void weights.push(m.mixtureWeights!) });
    expect(weights).toEqual([
      [1, 0],
      [1, 0],
    ]);
    const after = await trainer.getState();
    expect(after.critic['critic1/dense0/kernel'].values).toEqual(before.critic['critic1/dense0/kernel'].values);
    expect(after.critic['critic0/dense0/kernel'].values).not.toEqual(before.critic['critic0/dense0/kernel'].values);
    await trainer.run({ steps: 2, onProgress: (m) => void weights.push(m.mixtureWeights!) });
    expect(weights.slice(2)).toEqual([
      [1, 0],
      [0.5, 0.5],
    ]);
    trainer.dispose();
  });
});

describe("learning-rate decay (the WGAN-GP authors' DECAY over a run's last steps)", () => {
  const settings = { ...defaultsFor('wgan-gp', 'mlp'), learningRate: 1e-3, learningRateDecay: { start: 10, end: 14 } };
  const config = {
    loss: 'wgan-gp' as const,
    arch: archConfig('mlp', { hidden: 8, depth: 1 }),
    data: toyDataset('8gaussians'),
    seed: 3,
    batchSize: 16,
    emaDecay: null,
  };

  it('constant up to start, then lr (end - step) / (end - start), 0 from end on', () => {
    const at = (step: number) => learningRateAt(settings, step);
    expect([0, 9, 10].map(at)).toEqual([1e-3, 1e-3, 1e-3]);
    expect(at(11)).toBeCloseTo(7.5e-4, 15);
    expect(at(13)).toBeCloseTo(2.5e-4, 15);
    expect([14, 20].map(at)).toEqual([0, 0]);
    expect(learningRateAt({ ...settings, learningRateDecay: null }, 1e6)).toBe(1e-3);
  });

  it('a first Adam update moves each generator weight by the decayed rate (|m| / sqrt(v) = 1 at t = 1)', async () => {
    const lr = 1e-2;
    const trainer = new Trainer({ ...config, learningRate: lr, learningRateDecay: { start: 0, end: 4 } });
    const fresh = await trainer.getState();
    trainer.setState({ ...fresh, step: 3 }); // fresh moments, at the decay's last step: lr / 4
    await trainer.run({ steps: 1 });
    const moved = (await trainer.getState()).generator;
    const ratios = Object.entries(moved).flatMap(([name, { values }]) =>
      Array.from(values, (v, i) => Math.abs(v - fresh.generator[name].values[i]) / (lr / 4)),
    );
    expect(Math.max(...ratios)).toBeLessThan(1 + 1e-4);
    // Only weights with a vanishing gradient (a ReLU that never fired) move by less.
    expect(ratios.filter((r) => Math.abs(r - 1) < 1e-3).length).toBeGreaterThan(0.8 * ratios.length);
    trainer.dispose();
  });

  it('from its end on nothing moves, the critic included', async () => {
    const trainer = new Trainer({ ...config, learningRateDecay: { start: 1, end: 3 } });
    await trainer.run({ steps: 3 });
    const ended = await trainer.getState();
    await trainer.run({ steps: 2 });
    const after = await trainer.getState();
    expect(after.generator).toEqual(ended.generator);
    expect(after.critic).toEqual(ended.critic);
    const untrained = new Trainer(config);
    expect(after.critic).not.toEqual((await untrained.getState()).critic);
    untrained.dispose();
    trainer.dispose();
  });

  it('a state written before the setting existed resumes as a constant rate', async () => {
    const unbroken = new Trainer(config);
    await unbroken.run({ steps: 3 });
    const first = new Trainer(config);
    await first.run({ steps: 1 });
    const old = structuredClone(await first.getState());
    delete (old.settings as Partial<typeof old.settings>).learningRateDecay;
    first.dispose();
    const resumed = Trainer.fromState(old, config.data);
    await resumed.run({ steps: 2 });
    expectStatesIdentical(await resumed.getState(), await unbroken.getState());
    resumed.dispose();
    unbroken.dispose();
  });

  it('refuses a decay that ends before it starts', () => {
    expect(() => new Trainer({ ...config, learningRateDecay: { start: 5, end: 5 } })).toThrow(
      /learningRateDecay must be null or \{ start >= 0, end > start \}/,
    );
  });
});
