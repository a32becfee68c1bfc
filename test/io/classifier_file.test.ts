import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { CLASSIFIER_JSON, classifierFromContents, type ClassifierContents } from '../../src/io/classifier_file';
import { ModelFormatError } from '../../src/io/format';
import { classifierParams } from '../../src/models/classifier';
import { disposeParams, readParams } from '../../src/nn/params';
import { loadClassifierDir, saveClassifierDir } from '../../src/node/classifier_files';

async function contents(seed: number): Promise<ClassifierContents> {
  const params = classifierParams(seed);
  const weights = await readParams(params);
  disposeParams(params);
  return { provenance: { dataset: 'mnist', seed, metrics: { testAccuracy: 0.5 } }, weights };
}

async function rejection(promise: Promise<unknown>): Promise<ModelFormatError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: ModelFormatError) => e,
  );
}

describe('classifier folders', () => {
  let dir: string;
  beforeEach(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-classifier-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('round-trip float16 within its rounding into variables of the classifier', async () => {
    const original = await contents(3);
    await saveClassifierDir(dir, original, 'float16');
    const loaded = await loadClassifierDir(dir);
    expect(loaded.provenance).toEqual(original.provenance);
    const before = tf.memory().numTensors;
    const params = classifierFromContents(loaded, dir);
    for (const [name, w] of Object.entries(original.weights)) {
      const values = await params[name].data();
      // float16 keeps 11 significant bits: relative error <= 2^-11.
      const worst = w.values.reduce(
        (m, v, i) => Math.max(m, Math.abs(v - values[i]) / Math.max(Math.abs(v), 2 ** -14)),
        0,
      );
      expect(worst, name).toBeLessThanOrEqual(2 ** -11);
    }
    disposeParams(params);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a tampered shard, naming the file and classifier.json', async () => {
    await saveClassifierDir(dir, await contents(3), 'float16');
    const shard = join(dir, 'classifier.bin');
    const bytes = await readFile(shard);
    bytes[100] ^= 1;
    await writeFile(shard, bytes);
    const error = await rejection(loadClassifierDir(dir));
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.code).toBe('checksum');
    expect(error.file).toBe(shard);
    expect(error.message).toMatch(/checksum mismatch .* classifier\.json expects/);
  });

  it('rejects another architecture, a model folder, and weights of the wrong shape', async () => {
    await saveClassifierDir(dir, await contents(3), 'float16');
    const jsonFile = join(dir, CLASSIFIER_JSON);
    const json = JSON.parse(await readFile(jsonFile, 'utf8'));
    await writeFile(jsonFile, JSON.stringify({ ...json, architecture: { ...json.architecture, features: 64 } }));
    const other = await rejection(loadClassifierDir(dir));
    expect(other.code).toBe('not-a-model');
    expect(other.message).toMatch(/classifier\.json: describes architecture .*"features":64/);

    const missing = await rejection(loadClassifierDir(join(dir, 'nowhere')));
    expect(missing.code).toBe('missing-file');
    expect(missing.message).toMatch(/nowhere\/classifier\.json: not found/);

    const wrong = await contents(3);
    wrong.weights['features/bias'] = { shape: [64], values: new Float32Array(64) };
    const error = (() => {
      try {
        classifierFromContents(wrong, 'somewhere');
      } catch (e) {
        return e as ModelFormatError;
      }
    })();
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error!.message).toMatch(
      /somewhere: classifier weights: 'features\/bias' has shape \[64\], the network needs \[128\]/,
    );
  });
});
