// The shipped class-conditional digit model, models/mnist-conditional, through the built CLI:
// `wgan-edge sample --model mnist-conditional --label 7` draws sevens. The project's classifier
// (models/classifiers/mnist) must call at least 95% of 1000 such samples 7 (the bar; seed
// 5, not the card's), and the samples of --label 1 must be ones, not sevens: the label steers.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { classifierFromContents } from '../../src/io/classifier_file';
import { parseNpy } from '../../src/io/npy';
import { classifierOutputs, predictedClasses } from '../../src/metrics/classifier_quality';
import { disposeParams, type Params } from '../../src/nn/params';
import { loadClassifierDir } from '../../src/node/classifier_files';
import { runCli } from '../helpers/cli';

const CLASSIFIER_DIR = 'models/classifiers/mnist';
const N = 1000;

const cli = (...args: string[]) => runCli(args, { timeout: 180_000 });

describe('shipped model mnist-conditional', () => {
  let dir: string;
  let classifier: Params;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-shipped-conditional-'));
    await initBackend({ backend: 'wasm' });
    classifier = classifierFromContents(await loadClassifierDir(CLASSIFIER_DIR), CLASSIFIER_DIR);
  });
  afterAll(async () => {
    disposeParams(classifier);
    await rm(dir, { recursive: true, force: true });
  });

  /** The classifier's call on each of N samples of `--label label`, drawn by the CLI. */
  const classesOfLabel = async (label: number) => {
    const out = join(dir, `label-${label}.npy`);
    const r = await cli(
      'sample',
      '--model',
      'mnist-conditional',
      '--label',
      String(label),
      '--n',
      String(N),
      '--seed',
      '5',
      '--format',
      'float32',
      '--backend',
      'wasm',
      '--threads',
      '1',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const samples = parseNpy(new Uint8Array(await readFile(out)), out);
    expect(samples.shape).toEqual([N, 28, 28, 1]);
    return predictedClasses(
      (await classifierOutputs(classifier, samples.values as Float32Array, `samples of --label ${label}`))
        .probabilities,
    );
  };
  const share = (classes: Uint8Array, c: number) => classes.filter((k) => k === c).length / classes.length;

  it('--label 7 draws sevens (>= 95% by the classifier), --label 1 ones', async () => {
    const before = tf.memory().numTensors;
    const [sevens, ones] = [await classesOfLabel(7), await classesOfLabel(1)];
    expect(tf.memory().numTensors).toBe(before);
    expect(share(sevens, 7)).toBeGreaterThanOrEqual(0.95);
    expect(share(ones, 1)).toBeGreaterThanOrEqual(0.9);
    expect(share(ones, 7)).toBeLessThanOrEqual(0.05);
  }, 300_000);
});
