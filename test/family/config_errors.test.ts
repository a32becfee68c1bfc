// Every validation path throws a ConfigError whose code names what was wrong, with a message
// that still says it in words; broken internal invariants are not ConfigErrors.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  archConfig,
  ConfigError,
  createGenerator,
  defaultsFor,
  disposeParams,
  exactW1,
  FineTuneInputError,
  frechetDistance,
  imageDataset,
  initBackend,
  interpolateGenerator,
  sampleGenerator,
  toyDataset,
  Trainer,
  validateArch,
  validateSettings,
  type ConfigErrorCode,
  type Network,
} from '../../src/index';
import { checkArrays, latents, lossModule, Rng } from '../../src/internals';
import { toWireError, fromWireError } from '../../src/runtime/errors';

/** The ConfigError `run` throws or rejects with (it fails the test when `run` succeeds or throws something else). */
async function configError(run: () => unknown): Promise<ConfigError> {
  let thrown: unknown = null;
  try {
    await run();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a ConfigError').toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

const ARCH = archConfig('mlp', { hidden: 8, depth: 2 });
let generator: Network;
let tensorsBefore: number;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  tensorsBefore = tf.memory().numTensors;
  generator = createGenerator(ARCH, 1);
});
afterAll(() => {
  disposeParams(generator.params);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

describe('ConfigError codes', () => {
  const cases: Array<[string, () => unknown, ConfigErrorCode, RegExp]> = [
    [
      'an unknown architecture kind',
      () => validateArch({ ...ARCH, kind: 'resnet' }),
      'bad-arch',
      /unknown kind 'resnet'/,
    ],
    [
      'an architecture field out of range',
      () => validateArch({ ...ARCH, hidden: 0 }),
      'bad-arch',
      /hidden must be a positive integer/,
    ],
    [
      'a setting out of range',
      () => validateSettings({ ...defaultsFor('wgan-gp', 'mlp'), nCritic: 0 }),
      'bad-settings',
      /nCritic must be a positive integer/,
    ],
    ['an unknown loss', () => lossModule('lsgan' as never), 'unknown-loss', /unknown loss 'lsgan'/],
    ['an unknown toy set', () => toyDataset('moons' as never), 'bad-data', /unknown toy data set 'moons'/],
    [
      'images of the wrong shape',
      () => imageDataset({ data: new Uint8Array(4), shape: [1, 2, 2] as never }, [0, 1]),
      'bad-data',
      /shape must be \[count, height, width, channels\]/,
    ],
    ['weights that do not fit', () => checkArrays(generator.params, {}, 'weights'), 'bad-weights', /weights/],
    ['a seed out of range', () => new Rng(-1), 'bad-seed', /seed must be an integer in \[0, 2\^32\)/],
    ['latents of no rows', () => latents(0, 2, 1), 'bad-n', /n must be a positive integer/],
    [
      'W1 of unequal samples',
      () => exactW1(new Float32Array(4), new Float32Array(2), 2),
      'bad-metric-input',
      /two equal samples/,
    ],
    [
      'a Frechet distance of one vector',
      () => frechetDistance(new Float32Array(2), new Float32Array(2), 2),
      'bad-metric-input',
      /at least 2 vectors/,
    ],
  ];
  it.each(cases)('%s', async (_what, run, code, message) => {
    const error = await configError(run);
    expect(error.code).toBe(code);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toMatch(message);
  });

  it('sampling requests name the field', async () => {
    expect((await configError(() => sampleGenerator(generator, { n: 0, seed: 1 }))).code).toBe('bad-n');
    expect((await configError(() => sampleGenerator(generator, { n: 2, seed: -1 }))).code).toBe('bad-seed');
    expect((await configError(() => sampleGenerator(generator, { n: 2, seed: 1, truncation: 0 }))).code).toBe(
      'bad-truncation',
    );
    expect((await configError(() => sampleGenerator(generator, { n: 2, seed: 1, format: 'gif' as never }))).code).toBe(
      'bad-format',
    );
    expect((await configError(() => sampleGenerator(generator, { n: 2, seed: 1, format: 'rgba' }))).code).toBe(
      'bad-format',
    );
    expect((await configError(() => sampleGenerator(generator, { n: 2, seed: 1, label: 0 }))).code).toBe('bad-label');
    expect((await configError(() => interpolateGenerator(generator, { from: 1, to: 2, steps: 1 }))).code).toBe(
      'bad-steps',
    );
    expect(
      (await configError(() => interpolateGenerator(generator, { from: 1, to: 2, steps: 3, path: 'arc' as never })))
        .code,
    ).toBe('bad-path');
  });

  it('a trainer config: unknown settings, data that does not fit, a state of another run', async () => {
    const data = toyDataset('8gaussians');
    const config = { loss: 'wgan-gp' as const, arch: ARCH, data, seed: 1 };
    expect((await configError(() => new Trainer({ ...config, nCritics: 3 } as never))).code).toBe('bad-settings');
    expect((await configError(() => new Trainer({ ...config, data: {} as never }))).code).toBe('bad-data');
    expect((await configError(() => new Trainer({ ...config, arch: { ...ARCH, outputShape: [3] } }))).code).toBe(
      'data-mismatch',
    );
    const trainer = new Trainer(config);
    try {
      const state = await trainer.getState();
      expect((await configError(() => Trainer.fromState({ ...state, version: 99 } as never, data))).code).toBe(
        'bad-state',
      );
      const other = new Trainer({ ...config, loss: 'wgan' });
      try {
        expect((await configError(() => other.setState(state))).code).toBe('bad-state');
      } finally {
        other.dispose();
      }
    } finally {
      trainer.dispose();
    }
  });

  it("a fine-tune's input errors are ConfigErrors with the fine-tune's codes", () => {
    const error = new FineTuneInputError('fineTune: 1 image', 'too-few-images');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe('FineTuneInputError');
    expect(error.code).toBe('too-few-images');
  });

  it('crosses the worker boundary with its class and code', () => {
    const error = fromWireError(
      structuredClone(
        toWireError(new ConfigError('training settings: nCritic must be a positive integer, got 0', 'bad-settings')),
      ),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe('ConfigError');
    expect((error as ConfigError).code).toBe('bad-settings');
    expect(error.message).toMatch(/nCritic/);
  });
});
