// The shipped colour model, models/emoji, as the issue asks for it through the built CLI:
// `wgan-edge sample --model emoji --n 64 --label k --out grid.png` draws a grid of category k,
// from a generator of at most 2 MB that names its nine categories. The label must steer: by the
// emoji classifier (models/classifiers/emoji, trained on other artwork), samples of the Flags
// label are flags and samples of Smileys & Emotion are not. The card holds the per-label numbers.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decode as decodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { classifierFromContents } from '../../src/io/classifier_file';
import { parseNpy } from '../../src/io/npy';
import { classifierOutputs, predictedClasses } from '../../src/metrics/classifier_quality';
import { disposeParams, type Params } from '../../src/nn/params';
import { loadClassifierDir } from '../../src/node/classifier_files';
import { EMOJI_CATEGORIES } from '../../src/node/emoji';
import { toUint8 } from '../../src/sample/png';
import { runCli } from '../helpers/cli';

const MODEL_DIR = 'models/emoji';
const CLASSIFIER_DIR = 'models/classifiers/emoji';
/** The cap on the generator's weights. */
const MAX_GENERATOR_BYTES = 2 * 1024 * 1024;
const [SMILEYS, FLAGS] = [0, 8];
const N = 300;
/** The generator's output range (tanh), which model.json states. */
const RANGE: [number, number] = [-1, 1];
/** imageGrid's gap between tiles and around them. */
const GAP = 2;

const cli = (...args: string[]) => runCli(args, { timeout: 180_000 });

describe('shipped model emoji', () => {
  let dir: string;
  let classifier: Params;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-shipped-emoji-'));
    await initBackend({ backend: 'wasm' });
    classifier = classifierFromContents(await loadClassifierDir(CLASSIFIER_DIR), CLASSIFIER_DIR);
  });
  afterAll(async () => {
    disposeParams(classifier);
    await rm(dir, { recursive: true, force: true });
  });

  /** The file the CLI writes for `--label label --n n --out out`; a .npy holds the generator's float32 values (in [-1, 1]). */
  const sample = async (label: number, n: number, out: string) => {
    const r = await cli(
      'sample',
      ...(out.endsWith('.npy') ? ['--format', 'float32'] : []),
      '--model',
      'emoji',
      '--label',
      String(label),
      '--n',
      String(n),
      '--seed',
      '5',
      '--backend',
      'wasm',
      '--threads',
      '1',
      '--out',
      join(dir, out),
    );
    expect(r.code, r.stderr).toBe(0);
    return new Uint8Array(await readFile(join(dir, out)));
  };

  it('a generator of at most 2 MB that names its nine categories', async () => {
    expect((await stat(join(MODEL_DIR, 'generator.bin'))).size).toBeLessThanOrEqual(MAX_GENERATOR_BYTES);
    const model = JSON.parse(await readFile(join(MODEL_DIR, 'model.json'), 'utf8'));
    expect(model.architecture.labels).toBe(EMOJI_CATEGORIES.length);
    expect(model.outputShape).toEqual([32, 32, 3]);
    expect(model.outputRange).toEqual(RANGE);
    expect(model.provenance.labelNames).toEqual([...EMOJI_CATEGORIES]);
  });

  it('--n 64 --label k --out grid.png: an 8 x 8 grid of the same samples as --out .npy', async () => {
    const grid = decodePng(await sample(FLAGS, 64, 'grid.png'));
    const side = 8 * 32 + 9 * GAP;
    expect([grid.width, grid.height, grid.channels]).toEqual([side, side, 3]);
    const npy = parseNpy(await sample(FLAGS, 64, 'grid.npy'), 'grid.npy');
    expect(npy.shape).toEqual([64, 32, 32, 3]);
    const pixels = toUint8(npy.values as Float32Array, RANGE);
    for (const i of [0, 27, 63]) {
      const [x0, y0] = [GAP + (i % 8) * (32 + GAP), GAP + Math.floor(i / 8) * (32 + GAP)];
      for (const y of [0, 13, 31]) {
        const row = grid.data.slice(((y0 + y) * side + x0) * 3, ((y0 + y) * side + x0 + 32) * 3);
        const want = pixels.slice((i * 32 + y) * 96, (i * 32 + y + 1) * 96);
        expect(Array.from(row), `sample ${i}, row ${y}`).toEqual(Array.from(want));
      }
    }
  });

  it('the label steers: the Flags label draws flags, Smileys & Emotion does not', async () => {
    const before = tf.memory().numTensors;
    const classesOf = async (label: number) => {
      const npy = parseNpy(await sample(label, N, `label-${label}.npy`), `label-${label}.npy`);
      // The classifier reads [0, 1], as eval gives it the samples.
      const pixels = Float32Array.from(npy.values as Float32Array, (v) => Math.min(1, Math.max(0, (v + 1) / 2)));
      return predictedClasses(
        (await classifierOutputs(classifier, pixels, `samples of --label ${label}`)).probabilities,
        EMOJI_CATEGORIES.length,
      );
    };
    const share = (classes: Uint8Array, c: number) => classes.filter((k) => k === c).length / classes.length;
    const [flags, smileys] = [await classesOf(FLAGS), await classesOf(SMILEYS)];
    expect(tf.memory().numTensors).toBe(before);
    expect(share(flags, FLAGS)).toBeGreaterThanOrEqual(0.8);
    expect(share(smileys, FLAGS)).toBeLessThanOrEqual(0.1);
    expect(share(smileys, SMILEYS)).toBeGreaterThan(share(flags, SMILEYS) + 0.2);
  }, 300_000);
});
