// The twin's emoji data path on a tiny package made here (no emoji package needed): loadEmoji
// reads it, saveEmojiArrays writes images.npy / labels.npy, and the twin's `--data emoji
// --data-dir` reads exactly those pixels and labels, trains a conditional dcgan32 pair on the
// nine categories for 2 steps and exports a folder wgan-edge loads and samples as the
// checkpoint does. Missing or malformed arrays are refused, naming the file and the fault.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encode } from 'fast-png';
import { afterAll, beforeAll, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { generatorFromModel } from '../../src/io/networks';
import { loadModelDir } from '../../src/io/node_files';
import { npyFile } from '../../src/io/npy';
import { archConfig } from '../../src/models/config';
import { disposeParams } from '../../src/nn/params';
import { EMOJI_CATEGORIES, loadEmoji, saveEmojiArrays, type EmojiSet } from '../../src/node/emoji';
import { generateSamples } from '../../src/sample/generate';
import { Rng } from '../../src/utils/rng';
import { describeWithTorch, maxAbs, maxAbsDiff, PYTHON, readNpy, run, writeNpy } from './twin';

const TOLERANCE = 1e-4;
const DIM = 4;
const LATENTS = 9;

const twin = (...args: string[]) => run(PYTHON, ['-m', 'wgan_edge_torch', ...args]);

/** A 64x64 RGBA PNG of random colours (seeded), a quarter of it transparent. */
function png(rng: Rng): Uint8Array {
  const data = new Uint8Array(64 * 64 * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i & 3) === 3 ? ((i >> 2) % 64 < 16 ? 0 : 255) : Math.floor(256 * rng.uniform());
  return encode({ width: 64, height: 64, channels: 4, depth: 8, data });
}

describeWithTorch('PyTorch twin: emoji data', () => {
  let dir: string;
  let arrays: string;
  let set: EmojiSet;
  let checkpoint: string;
  let model: string;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-twin-emoji-'));
    const pkg = join(dir, 'package');
    await mkdir(join(pkg, 'img', 'google', '64'), { recursive: true });
    // Two emoji in each category, and one 'Component' the loader drops.
    const entries = [...EMOJI_CATEGORIES, 'Component', ...EMOJI_CATEGORIES].map((category, i) => ({
      name: `E${i}`,
      image: `e${i}.png`,
      category,
      sort_order: i,
      has_img_google: true,
    }));
    await writeFile(join(pkg, 'emoji.json'), JSON.stringify(entries));
    const rng = new Rng(5);
    for (const e of entries) await writeFile(join(pkg, 'img', 'google', '64', e.image), png(rng));
    set = await loadEmoji({ directory: pkg });
    arrays = join(dir, 'arrays');
    await saveEmojiArrays(set, arrays);
    checkpoint = join(dir, 'run.pt');
    model = join(dir, 'model');
    const train = await twin('train', '--data', 'emoji', '--data-dir', arrays, '--conditional', '--dim', String(DIM), '--batch', '6', '--steps', '2', '--threads', '1', '--device', 'cpu', '--out', checkpoint);
    expect(train.code, train.stderr).toBe(0);
    const exported = await twin('export', checkpoint, '--out', model, '--storage', 'float32');
    expect(exported.code, exported.stderr).toBe(0);
  }, 300_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads the pixels and labels saveEmojiArrays wrote, byte for byte', async () => {
    expect(set.images.shape).toEqual([18, 32, 32, 3]);
    const script = `
import json, sys
from wgan_edge_torch.data import load_emoji_arrays
images, labels = load_emoji_arrays(sys.argv[1])
print(json.dumps({'shape': list(images.shape), 'pixels': images.reshape(-1).tolist(), 'labels': labels.tolist()}))`;
    const r = await run(PYTHON, ['-c', script, arrays]);
    expect(r.code, r.stderr).toBe(0);
    const read = JSON.parse(r.stdout) as { shape: number[]; pixels: number[]; labels: number[] };
    expect(read.shape).toEqual([18, 32, 32, 3]);
    expect(read.labels).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(read.pixels).toEqual(Array.from(set.images.data));
  });

  it("exports a conditional dcgan32 on the nine categories that wgan-edge samples as the checkpoint does", async () => {
    const folder = await loadModelDir(model);
    expect(folder.architecture).toEqual(archConfig('dcgan32', { dim: DIM, labels: EMOJI_CATEGORIES.length }));
    expect(folder.provenance).toMatchObject({ backend: 'pytorch', dataset: 'emoji', steps: 2 });
    const rng = new Rng(7);
    const latents = Float32Array.from({ length: LATENTS * 128 }, () => rng.normal());
    const labels = Int32Array.from({ length: LATENTS }, (_, i) => i);
    const [z, y, out] = [join(dir, 'z.npy'), join(dir, 'y.npy'), join(dir, 'x.npy')];
    await writeNpy(z, latents, [LATENTS, 128]);
    await writeFile(y, npyFile(Uint8Array.from(labels), [LATENTS]));
    const sampled = await twin('sample', checkpoint, '--latents', z, '--labels', y, '--out', out);
    expect(sampled.code, sampled.stderr).toBe(0);
    const fromCheckpoint = await readNpy(out);
    expect(fromCheckpoint.shape).toEqual([LATENTS, 32, 32, 3]);

    const before = tf.memory().numTensors;
    const generator = generatorFromModel(folder, model);
    const edge = (await generateSamples(generator, latents, 'float32', labels)).values;
    const sameLabel = (await generateSamples(generator, latents, 'float32', new Int32Array(LATENTS))).values;
    disposeParams(generator.params);
    expect(tf.memory().numTensors).toBe(before);
    expect(maxAbsDiff(edge, fromCheckpoint.values)).toBeLessThanOrEqual(TOLERANCE);
    // The label moves the samples (a label dropped on either side could not pass the line above).
    expect(maxAbs(edge.map((v, i) => v - sameLabel[i]))).toBeGreaterThan(10 * TOLERANCE);
  }, 120_000);

  it('refuses a missing --data-dir, missing files, wrong shapes and labels outside the nine categories', async () => {
    const bad = join(dir, 'bad');
    await mkdir(bad, { recursive: true });
    const attempt = (dataDir: string | null) =>
      twin('train', '--data', 'emoji', ...(dataDir == null ? [] : ['--data-dir', dataDir]), '--conditional', '--dim', '4', '--steps', '1', '--device', 'cpu', '--out', join(dir, 'never.pt'));
    const noDir = await attempt(null);
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toMatch(/--data emoji reads images\.npy and labels\.npy from --data-dir DIR; write them with .*emoji_arrays\.script\.ts/);
    const missing = await attempt(bad);
    expect(missing.stderr).toMatch(/bad\/images\.npy is missing/);

    await writeFile(join(bad, 'images.npy'), npyFile(new Uint8Array(2 * 28 * 28), [2, 28, 28, 1]));
    await writeFile(join(bad, 'labels.npy'), npyFile(Uint8Array.from([0, 1]), [2]));
    const shape = await attempt(bad);
    expect(shape.stderr).toMatch(/bad\/images\.npy: expected uint8 \[n, 32, 32, 3\] with n >= 1, got uint8 \[2, 28, 28, 1\]/);

    await writeFile(join(bad, 'images.npy'), npyFile(new Uint8Array(2 * 32 * 32 * 3), [2, 32, 32, 3]));
    await writeFile(join(bad, 'labels.npy'), npyFile(Uint8Array.from([0, 9]), [2]));
    const outside = await attempt(bad);
    expect(outside.stderr).toMatch(/bad\/labels\.npy holds label 9 at index 1; classes are 0\.\.8/);

    await writeFile(join(bad, 'labels.npy'), npyFile(Uint8Array.from([0, 1, 2]), [3]));
    const count = await attempt(bad);
    expect(count.stderr).toMatch(/bad\/labels\.npy: expected uint8 \[2\] \(one label per image\), got uint8 \[3\]/);
    // A missing file exits 1; data that is there but wrong is refused as the other bad --data (2).
    expect(missing.code).toBe(1);
    for (const r of [shape, outside, count]) expect(r.code).toBe(2);
  }, 120_000);
});
