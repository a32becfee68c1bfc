import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/init';
import { imageDataset } from '../../src/data/images';
import { toyDataset, toyMixture, toyPoints } from '../../src/data/toy';
import { loadMnist, loadMnistLabels, mnistDataset } from '../../src/node/mnist';
import { Rng } from '../../src/utils/rng';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const pairs = (p: Float32Array) => Array.from({ length: p.length / 2 }, (_, i) => [p[2 * i], p[2 * i + 1]]);

describe('toy sets (gan_toy.py)', () => {
  it('8gaussians: centres at radius 2 / 1.414 on the compass directions, std 0.02 / 1.414', () => {
    const mixture = toyMixture('8gaussians');
    expect(mixture.std).toBeCloseTo(0.02 / 1.414, 12);
    expect(mixture.centres).toHaveLength(8);
    mixture.centres.forEach(([x, y], k) => {
      expect(x).toBeCloseTo((2 * Math.cos((k * Math.PI) / 4)) / 1.414, 12);
      expect(y).toBeCloseTo((2 * Math.sin((k * Math.PI) / 4)) / 1.414, 12);
    });
    const points = pairs(toyPoints('8gaussians', 4000, new Rng(1)));
    const offsets: number[] = [];
    const counts = new Array(8).fill(0);
    for (const [x, y] of points) {
      const k = mixture.centres.findIndex(([cx, cy]) => Math.hypot(x - cx, y - cy) < 0.2);
      counts[k]++;
      offsets.push(x - mixture.centres[k][0], y - mixture.centres[k][1]);
    }
    const std = Math.sqrt(offsets.reduce((s, d) => s + d * d, 0) / offsets.length);
    expect(std / mixture.std).toBeGreaterThan(0.95);
    expect(std / mixture.std).toBeLessThan(1.05);
    for (const c of counts) expect(c).toBeGreaterThan(4000 / 8 - 100);
  });

  it('25gaussians: the grid {-4..4 step 2}^2 / 2.828, std 0.05 / 2.828', () => {
    const mixture = toyMixture('25gaussians');
    expect(mixture.centres).toHaveLength(25);
    expect(mixture.std).toBeCloseTo(0.05 / 2.828, 12);
    expect(mixture.centres).toContainEqual([-4 / 2.828, 2 / 2.828]);
    for (const [x, y] of pairs(toyPoints('25gaussians', 2000, new Rng(2)))) {
      expect(Math.min(...mixture.centres.map(([cx, cy]) => Math.hypot(x - cx, y - cy)))).toBeLessThan(6 * mixture.std);
    }
  });

  it('swissroll: sklearn make_swiss_roll(noise=0.25), coordinates 0 and 2, / 7.5', () => {
    // Without noise every point lies on the spiral r = t / 7.5 at angle t, t in [1.5 pi, 4.5 pi].
    // The noise (std 0.25 / 7.5 per coordinate) spreads points around it; angle and radius
    // must stay consistent up to that noise.
    const points = pairs(toyPoints('swissroll', 3000, new Rng(3)));
    const noise = 0.25 / 7.5;
    let residual = 0;
    for (const [x, y] of points) {
      const r = Math.hypot(x, y);
      const candidates = [0, 1, 2, 3]
        .map((turn) => Math.atan2(y, x) + 2 * Math.PI * turn)
        .filter((t) => t >= 1.5 * Math.PI - 0.5 && t <= 4.5 * Math.PI + 0.5);
      const best = Math.min(...candidates.map((t) => Math.abs(r - t / 7.5)));
      residual += best * best;
      expect(r).toBeLessThan((4.5 * Math.PI) / 7.5 + 5 * noise);
    }
    expect(Math.sqrt(residual / points.length)).toBeLessThan(2 * noise);
    const radii = points.map(([x, y]) => Math.hypot(x, y));
    expect(Math.min(...radii)).toBeLessThan((1.5 * Math.PI) / 7.5 + 0.1);
    expect(Math.max(...radii)).toBeGreaterThan((4.5 * Math.PI) / 7.5 - 0.1);
  });

  it('seeded: same rng state, same batch; unknown names are refused', async () => {
    const [a, b] = [toyDataset('swissroll').next(5, new Rng(9)), toyDataset('swissroll').next(5, new Rng(9))];
    expect(a.shape).toEqual([5, 2]);
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    tf.dispose([a, b]);
    expect(() => toyDataset('spiral' as never)).toThrow(/unknown toy data set 'spiral'/);
  });
});

describe('image arrays', () => {
  it('uint8 is scaled to [0, 1] or [-1, 1]; float [0, 1] likewise', async () => {
    const data = new Uint8Array([0, 255, 51, 102, 0, 0, 255, 255]);
    const unit = imageDataset({ data, shape: [2, 2, 2, 1] }, [0, 1]).next(1, new Rng(1));
    const symmetric = imageDataset({ data, shape: [2, 2, 2, 1] }, [-1, 1]).next(1, new Rng(1));
    expect(unit.shape).toEqual([1, 2, 2, 1]);
    const picked = Array.from(await unit.data());
    expect([
      [0, 1, 0.2, 0.4],
      [0, 0, 1, 1],
    ]).toContainEqual(picked.map((v) => +v.toFixed(6)));
    expect(Array.from(await symmetric.data()).map((v) => +v.toFixed(6))).toEqual(
      picked.map((v) => +(2 * v - 1).toFixed(6)),
    );
    const floats = imageDataset({ data: new Float32Array([0.25, 0.5]), shape: [1, 1, 2, 1] }, [-1, 1]).next(
      2,
      new Rng(1),
    );
    expect(Array.from(await floats.data())).toEqual([-0.5, 0, -0.5, 0]);
    tf.dispose([unit, symmetric, floats]);
  });

  it('refuses bad shapes and out-of-range floats, naming the problem', () => {
    expect(() => imageDataset({ data: new Uint8Array(10), shape: [2, 2, 2, 1] }, [0, 1])).toThrow(
      /shape \[2,2,2,1\] needs 8 values, the data has 10/,
    );
    expect(() => imageDataset({ data: new Uint8Array(8), shape: [2, 4, 1] as never }, [0, 1])).toThrow(
      /\[count, height, width, channels\]/,
    );
    expect(() => imageDataset({ data: new Float32Array([0.5, 1.5]), shape: [2, 1, 1, 1] }, [0, 1])).toThrow(
      /value 1.5 at index 1 \(image 1\)/,
    );
  });
});

describe('MNIST and Fashion-MNIST idx files', () => {
  it('loads 60000 training images of 28x28 uint8 with ink on a zero background', async () => {
    const images = await loadMnist('train');
    expect(images.shape).toEqual([60000, 28, 28, 1]);
    expect(images.data.length).toBe(60000 * 784);
    const first = images.data.subarray(0, 784);
    expect(first[0]).toBe(0);
    expect(Math.max(...first)).toBe(255);
    const test = await loadMnist('test', { limit: 10 });
    expect(test.shape).toEqual([10, 28, 28, 1]);
    const dataset = await mnistDataset([0, 1], 'test', { limit: 10 });
    const batch = dataset.next(4, new Rng(1));
    expect(batch.shape).toEqual([4, 28, 28, 1]);
    const values = await batch.data();
    expect(Math.min(...values)).toBe(0);
    expect(Math.max(...values)).toBe(1);
    batch.dispose();
  });

  it('clear errors for a missing folder, a wrong magic and a truncated file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mnist-'));
    await expect(loadMnist('train', { directory: folder })).rejects.toThrow(/train-images-idx3-ubyte is missing/);
    const file = join(folder, 't10k-images-idx3-ubyte');
    writeFileSync(file, Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28]));
    await expect(loadMnist('test', { directory: folder })).rejects.toThrow(
      /0x00000801, not the idx image magic 0x00000803/,
    );
    // A right header (10000 images of 28x28) over a file cut short at 1000 bytes.
    const truncated = Buffer.alloc(1000);
    truncated.set([0, 0, 8, 3, 0, 0, 0x27, 0x10, 0, 0, 0, 28, 0, 0, 0, 28]);
    writeFileSync(file, truncated);
    await expect(loadMnist('test', { directory: folder })).rejects.toThrow(
      /is 1000 bytes, 10000 images need 7840016: the file is truncated or corrupt/,
    );
  });

  it('Fashion-MNIST: the same idx layout gzipped, images and labels in order; a corrupt gzip named', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'fashion-'));
    const count = 10000;
    const pixels = Buffer.alloc(16 + count * 784);
    pixels.set([0, 0, 8, 3, 0, 0, 0x27, 0x10, 0, 0, 0, 28, 0, 0, 0, 28]);
    for (let i = 0; i < count * 784; i++) pixels[16 + i] = (i * 7 + (i >> 10)) % 256;
    const labels = Buffer.alloc(8 + count);
    labels.set([0, 0, 8, 1, 0, 0, 0x27, 0x10]);
    for (let i = 0; i < count; i++) labels[8 + i] = (i * 3) % 10;
    writeFileSync(join(folder, 't10k-images-idx3-ubyte.gz'), gzipSync(pixels));
    writeFileSync(join(folder, 't10k-labels-idx1-ubyte.gz'), gzipSync(labels));
    const options = { set: 'fashion-mnist' as const, directory: folder, limit: 3 };
    const images = await loadMnist('test', options);
    expect(images.shape).toEqual([3, 28, 28, 1]);
    expect(Array.from(images.data)).toEqual(Array.from(pixels.subarray(16, 16 + 3 * 784)));
    expect(Array.from(await loadMnistLabels('test', options))).toEqual([0, 3, 6]);
    const zipped = gzipSync(labels);
    writeFileSync(join(folder, 't10k-labels-idx1-ubyte.gz'), zipped.subarray(0, zipped.length >> 1));
    await expect(loadMnistLabels('test', options)).rejects.toThrow(
      /Fashion-MNIST labels: .*t10k-labels-idx1-ubyte.gz is not valid gzip .*truncated or corrupt/,
    );
    await expect(loadMnist('train', options)).rejects.toThrow(
      /train-images-idx3-ubyte.gz is missing; install Debian's dataset-fashion-mnist/,
    );
  });
});
