// The Node entry (src/index.node.ts): a shipped model sampled in a few lines, and the one sampling
// path (src/sample/generate.ts) agreeing with the CLI and with the generator run by hand.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample as cliSample } from '../../src/cli/sample';
import {
  disposeParams,
  generatorFromModel,
  initBackend,
  interpolateGenerator,
  loadMnist,
  loadModelDir,
  loadShippedModel,
  ModelStorageError,
  sampleGenerator,
  saveModelDir,
  seededLatents,
  shippedModelNames,
  type Network,
} from '../../src/index.node';

let dir: string;
let generator: Network;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = await mkdtemp(join(tmpdir(), 'wgan-edge-node-api-'));
});
afterAll(async () => {
  if (generator) disposeParams(generator.params);
  await rm(dir, { recursive: true, force: true });
});

describe('Node entry', () => {
  it('samples the shipped 8gaussians model in a few lines, as float32 and as PNG, leaving no tensor', async () => {
    const before = tf.memory().numTensors;
    generator = generatorFromModel(await loadShippedModel('8gaussians'), '8gaussians');
    const params = tf.memory().numTensors;
    const points = await sampleGenerator(generator, { n: 16, seed: 3 });
    const image = await sampleGenerator(generator, { n: 16, seed: 3, format: 'png' });

    expect(points.format).toBe('float32');
    expect(points.shape).toEqual([16, 2]);
    expect(points.values).toHaveLength(32);
    expect(points.values.every(Number.isFinite)).toBe(true);
    const png = decode(image.png);
    expect([png.width, png.height]).toEqual([image.width, image.height]);
    expect(png.width).toBeGreaterThan(0);
    // Only the generator's weights stay; sampling leaves nothing.
    expect(tf.memory().numTensors).toBe(params);
    expect(params - before).toBe(Object.keys(generator.params).length);
  });

  it('float32 samples equal the CLI sample --out x.json path and the generator run by hand on seededLatents', async () => {
    const before = tf.memory().numTensors;
    const { values, shape } = await sampleGenerator(generator, { n: 16, seed: 3 });

    const json = join(dir, 'x.json');
    await cliSample(['--model', '8gaussians', '--n', '16', '--seed', '3', '--backend', 'cpu', '--out', json]);
    const fromCli = JSON.parse(await readFile(json, 'utf8')).samples as number[][];
    expect(fromCli).toHaveLength(16);
    expect(Array.from(Float32Array.from(fromCli.flat()))).toEqual(Array.from(values));

    const z = await seededLatents(16, generator.config.latentDim, 3);
    const byHand = tf.tidy(() => generator.apply(generator.params, tf.tensor2d(z, [16, generator.config.latentDim])));
    expect(byHand.shape).toEqual(shape);
    expect(Array.from(await byHand.data())).toEqual(Array.from(values));
    byHand.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a seed gives the same samples every time; another seed, others', async () => {
    const a = await sampleGenerator(generator, { n: 16, seed: 3 });
    const again = await sampleGenerator(generator, { n: 16, seed: 3 });
    const other = await sampleGenerator(generator, { n: 16, seed: 4 });
    expect(Array.from(again.values)).toEqual(Array.from(a.values));
    expect(Array.from(other.values)).not.toEqual(Array.from(a.values));
    // Each call hands back its own copy.
    expect(again.values.buffer).not.toBe(a.values.buffer);
  });

  it('interpolation (lerp and slerp) starts and ends at the samples of its two seeds', async () => {
    const before = tf.memory().numTensors;
    const from = (await sampleGenerator(generator, { n: 1, seed: 3 })).values;
    const to = (await sampleGenerator(generator, { n: 1, seed: 5 })).values;
    for (const path of ['lerp', 'slerp'] as const) {
      const line = await interpolateGenerator(generator, { from: 3, to: 5, steps: 6, path });
      expect(line.shape, path).toEqual([6, 2]);
      expect(Array.from(line.values.subarray(0, 2)), path).toEqual(Array.from(from));
      expect(Array.from(line.values.subarray(10, 12)), path).toEqual(Array.from(to));
    }
    const lerp = await interpolateGenerator(generator, { from: 3, to: 5, steps: 6, path: 'lerp' });
    const slerp = await interpolateGenerator(generator, { from: 3, to: 5, steps: 6 });
    expect(Array.from(slerp.values.subarray(2, 10))).not.toEqual(Array.from(lerp.values.subarray(2, 10)));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bad requests fail by name', async () => {
    await expect(sampleGenerator(generator, { n: 0, seed: 1 })).rejects.toThrow(/n must be an integer >= 1, got 0/);
    await expect(sampleGenerator(generator, { n: 2, seed: -1 })).rejects.toThrow(/seed must be an integer/);
    await expect(sampleGenerator(generator, { n: 2, seed: 1, format: 'gif' as never })).rejects.toThrow(
      /format must be one of float32, rgba, png/,
    );
    // 2-D points have no pixels: rgba says to use float32 (png draws a scatter plot).
    await expect(sampleGenerator(generator, { n: 2, seed: 1, format: 'rgba' })).rejects.toThrow(/use 'float32'/);
    await expect(interpolateGenerator(generator, { from: 1, to: 2, steps: 1 })).rejects.toThrow(
      /steps must be an integer >= 2/,
    );
    await expect(interpolateGenerator(generator, { from: 1, to: 2, steps: 3, path: 'arc' as never })).rejects.toThrow(
      /path must be 'slerp' or 'lerp'/,
    );
  });

  it('an unknown shipped name fails with the shipped names listed', async () => {
    const names = await shippedModelNames();
    expect(names).toContain('8gaussians');
    expect(names).not.toContain('classifiers');
    for (const name of ['no-such-model', '../models/8gaussians', 'classifiers']) {
      const error = await loadShippedModel(name).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(ModelStorageError);
      expect((error as ModelStorageError).code).toBe('not-found');
      expect((error as ModelStorageError).message).toMatch(
        new RegExp(`no shipped model named .*\\(shipped: .*\\b8gaussians\\b`),
      );
    }
  });

  it('exports the Node file helpers', async () => {
    const copy = join(dir, 'copy');
    await saveModelDir(copy, await loadShippedModel('8gaussians'));
    expect((await loadModelDir(copy)).latentDim).toBe(generator.config.latentDim);
    expect(typeof loadMnist).toBe('function');
  });
});
