// Few-shot fine-tuning (issue 26): the masked argmax of the latent mixture, DiffAugment's
// gradients (first order, and the penalty's second order through it) against finite
// differences on cpu and wasm, the choice of components on a synthetic generator, FreezeD in the
// trainer, and fineTune end to end on a tiny model (no tensor left behind).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { imageDataset } from '../../src/data/images';
import type { ModelContents } from '../../src/io/codec';
import { fineTune } from '../../src/io/finetune';
import { generatorFromModel, modelFromTrainer } from '../../src/io/networks';
import { nearestShotRatio } from '../../src/metrics/few_shot';
import { createGenerator } from '../../src/models';
import { archConfig, validateArch, type ArchConfig } from '../../src/models/config';
import {
  anchorOf,
  anchorThresholds,
  componentOf,
  mixtureCentres,
  mixtureInput,
  type LatentAnchors,
} from '../../src/models/latent_mixture';
import type { Network } from '../../src/models/network';
import { disposeParams } from '../../src/nn/params';
import { interpolateLatents } from '../../src/sample/generate';
import { latentPath, mixtureLatentPath, seededLatents } from '../../src/sample/latent_paths';
import { diffAugment, type DiffAugmentPolicy } from '../../src/train/diff_augment';
import {
  anchorsBetween,
  chooseComponents,
  chooseSpread,
  FineTuneInputError,
  invertGenerator,
  SPREAD_GRID,
} from '../../src/train/finetune';
import { Trainer } from '../../src/train/trainer';
import { boundaryValues, float32Step } from '../helpers/anchor_boundaries';
import { checkGradients, randomNormal, seededRandom } from '../helpers/gradcheck';

const K = 4;
const DIM = 10;

describe('latent mixture restricted to some components (latentComponentsAllowed)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it('runs the argmax over the allowed components only, and keeps latents whose component is allowed', async () => {
    const n = 64;
    const allowed = [1, 3];
    const z = await seededLatents(n, DIM, 5);
    const out = tf.tidy(() => mixtureInput(tf.tensor2d(z, [n, DIM]), K, allowed));
    const got = (await out.data()) as Float32Array;
    out.dispose();
    const centres = mixtureCentres(K, DIM - K);
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const row = Array.from(z.subarray(i * DIM, i * DIM + K));
      const want = row[1] >= row[3] ? 1 : 3;
      expect(componentOf(z.subarray(i * DIM), K, allowed)).toBe(want);
      if (componentOf(z.subarray(i * DIM), K) === want) kept++;
      for (let j = 0; j < DIM - K; j++) {
        expect(got[i * (DIM - K) + j]).toBeCloseTo(
          (centres[want * (DIM - K) + j] + z[i * DIM + K + j]) * Math.SQRT1_2,
          5,
        );
      }
    }
    // About half the latents already picked 1 or 3, and those draw what they drew before.
    expect(kept).toBeGreaterThan(16);
    expect(kept).toBeLessThan(n);
  });

  it('a generator with one allowed component draws what the whole mixture draws from that component', async () => {
    const arch = archConfig('mlp', { latentDim: DIM, latentComponents: K, outputShape: [3], hidden: 8, depth: 1 });
    const whole = createGenerator(arch, 3);
    const one = createGenerator({ ...arch, latentComponentsAllowed: [2] }, 3);
    const z = await seededLatents(8, DIM, 9);
    const forced = Float32Array.from(z);
    for (let i = 0; i < 8; i++) {
      const top = componentOf(z.subarray(i * DIM), K);
      [forced[i * DIM + 2], forced[i * DIM + top]] = [z[i * DIM + top], z[i * DIM + 2]];
    }
    const a = tf.tidy(() => one.apply(whole.params, tf.tensor2d(z, [8, DIM])));
    const b = tf.tidy(() => whole.apply(whole.params, tf.tensor2d(forced, [8, DIM])));
    const [va, vb] = [await a.data(), await b.data()];
    for (let i = 0; i < va.length; i++) expect(va[i]).toBeCloseTo(vb[i], 5);
    tf.dispose([a, b]);
    disposeParams(whole.params);
    disposeParams(one.params);
    // Interpolation paths keep to the allowed components too.
    const path = mixtureLatentPath(z.subarray(0, DIM), z.subarray(DIM, 2 * DIM), 5, 'slerp', {
      latentComponents: K,
      latentComponentsAllowed: [2],
    });
    for (let s = 0; s < 5; s++) expect(componentOf(path.subarray(s * DIM), K, [2])).toBe(2);
  });

  it('validates the field', () => {
    const base = archConfig('mlp', { latentDim: DIM, latentComponents: K });
    expect(() => validateArch({ ...base, latentComponentsAllowed: [0, 2] })).not.toThrow();
    for (const bad of [[], [2, 1], [1, 1], [4], [-1], [0.5], 'all']) {
      expect(() => validateArch({ ...base, latentComponentsAllowed: bad })).toThrow(/latentComponentsAllowed/);
    }
    expect(() => validateArch({ ...archConfig('mlp'), latentComponentsAllowed: [0] })).toThrow(
      /latentComponentsAllowed/,
    );
  });
});

describe('latent anchors (latentAnchors)', () => {
  const NOISE = DIM - K;
  const anchors: LatentAnchors = {
    points: [0, 1, 2].map((a) => Array.from({ length: NOISE }, (_, j) => Math.sin(3 * a + j) * 2)),
    spread: 0.6,
  };
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it('each latent reads its anchor plus spread times its noise, each anchor about equally often, the same anchor in JS and in the kernels', async () => {
    const n = 600;
    const z = await seededLatents(n, DIM, 11);
    const out = tf.tidy(() => mixtureInput(tf.tensor2d(z, [n, DIM]), K, undefined, anchors));
    const got = (await out.data()) as Float32Array;
    out.dispose();
    const counts = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const a = anchorOf(z.subarray(i * DIM), 3);
      counts[a]++;
      for (let j = 0; j < NOISE; j++)
        expect(got[i * NOISE + j]).toBeCloseTo((anchors.points[a][j] + 0.6 * z[i * DIM + K + j]) * Math.SQRT1_2, 5);
    }
    // 200 each by symmetry; a binomial's standard deviation is 11.5.
    for (const c of counts) expect(Math.abs(c - 200)).toBeLessThan(45);
  });

  it.each(['cpu', 'wasm'] as const)(
    "the kernels on %s pick anchorOf's anchor on the float32 values next to every boundary (1, 2, 3, 7 and 64 anchors)",
    async (backend) => {
      await initBackend({ backend });
      const before = tf.memory().numTensors;
      for (const count of [1, 2, 3, 7, 64]) {
        const thresholds = anchorThresholds(count);
        // Each threshold is where anchorOf steps up, by one anchor, from one float32 value to the next.
        thresholds.forEach((t, i) => {
          expect(anchorOf([t], count)).toBe(i + 1);
          expect(anchorOf([float32Step(t, -1)], count)).toBe(i);
        });
        const firsts = [...boundaryValues(count, 6), -12, -3, 0, 3, 12];
        const z = new Float32Array(firsts.length * DIM);
        firsts.forEach((v, i) => (z[i * DIM] = v));
        // Anchor a at (a, 0, ...), spread 1 and zero noise: the input's first value reads a / sqrt(2).
        const indexed = {
          points: Array.from({ length: count }, (_, a) => Array.from({ length: NOISE }, (__, j) => (j === 0 ? a : 0))),
          spread: 1,
        };
        const out = tf.tidy(() => mixtureInput(tf.tensor2d(z, [firsts.length, DIM]), K, undefined, indexed));
        const got = (await out.data()) as Float32Array;
        out.dispose();
        firsts.forEach((v, i) =>
          expect(Math.round(got[i * NOISE] * Math.SQRT2), `z_0 = ${v}, ${count} anchors`).toBe(anchorOf([v], count)),
        );
      }
      expect(tf.memory().numTensors).toBe(before);
      await initBackend({ backend: 'wasm' });
    },
  );

  it('validates the field', () => {
    const base = archConfig('mlp', { latentDim: DIM, latentComponents: K });
    expect(() => validateArch({ ...base, latentAnchors: anchors })).not.toThrow();
    const bad = [
      { ...anchors, points: [] },
      { ...anchors, points: [[1, 2]] },
      { ...anchors, points: [[...anchors.points[0].slice(1), Infinity]] },
      { ...anchors, spread: 0 },
      { ...anchors, spread: 1.5 },
      { points: anchors.points },
    ];
    for (const latentAnchors of bad)
      expect(() => validateArch({ ...base, latentAnchors })).toThrow(/latentAnchors must be/);
    expect(() => validateArch({ ...archConfig('mlp'), latentAnchors: anchors })).toThrow(/latentAnchors must be/);
  });

  it('a walk between two seeds runs evenly through the network input from one anchor to the other', async () => {
    const arch = { latentDim: DIM, latentComponents: K, latentAnchors: anchors };
    let to = 2;
    const anchorOfSeed = async (seed: number) => anchorOf(await seededLatents(1, DIM, seed), 3);
    while ((await anchorOfSeed(to)) === (await anchorOfSeed(1))) to++;
    const steps = 6;
    const walk = await interpolateLatents(arch, { from: 1, to, steps, path: 'lerp' });
    const t = tf.tidy(() => mixtureInput(tf.tensor2d(walk, [steps, DIM]), K, undefined, anchors));
    const inputs = (await t.data()) as Float32Array;
    t.dispose();
    const line = latentPath(inputs.slice(0, NOISE), inputs.slice((steps - 1) * NOISE), steps, 'lerp');
    for (let i = 0; i < inputs.length; i++) expect(inputs[i]).toBeCloseTo(line[i], 4);
  });
});

const POLICY: DiffAugmentPolicy = { translation: 1 / 4, cutout: 1 / 2, colour: true };

describe.each(['cpu', 'wasm'] as const)('DiffAugment on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('its gradient, first and second order, matches finite differences (batch 3, random upstream gradients)', async () => {
    const before = tf.memory().numTensors;
    for (const channels of [1, 3]) {
      const reports = await checkGradients(
        {
          name: `diffAugment ${channels} channels`,
          kernels: ['BatchMatMul', 'Transpose', 'Mul', 'Mean'],
          inputs: (rand) => [randomNormal(rand, [3, 8, 8, channels])],
          // Linear in x: squared so that the second order means something.
          f: (x) => tf.square(diffAugment(x, 17, POLICY)),
        },
        { order: 2, seed: 5, maxCoordinates: 24 },
      );
      for (const r of reports) expect(r.mismatches, `order ${r.order}`).toEqual([]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the penalty's gradient in the critic's weights, through the augmentation, matches finite differences", async () => {
    const x = randomNormal(seededRandom(3), [3, 8, 8, 1]);
    // D(x) = sum((T(x) W)^2) per sample: the penalty's weight gradient needs dT/dx inside d/dW.
    const penalty = (w: tf.Tensor) => {
      const critic = (input: tf.Tensor) =>
        tf.sum(tf.square(tf.matMul(tf.reshape(diffAugment(input, 23, POLICY), [3, 64]), w as tf.Tensor2D)), 1);
      const slopes = tf.grad((input: tf.Tensor) => tf.sum(critic(input)))(x);
      const norms = tf.sqrt(tf.sum(tf.square(slopes), [1, 2, 3]));
      return tf.mean(tf.square(tf.sub(norms, 1)));
    };
    const [report] = await checkGradients(
      {
        name: 'penalty through diffAugment',
        kernels: ['BatchMatMul'],
        inputs: (rand) => [tf.mul(randomNormal(rand, [64, 2]), 0.2)],
        f: penalty,
      },
      { order: 1, seed: 9, maxCoordinates: 32 },
    );
    expect(report.mismatches).toEqual([]);
    x.dispose();
  });

  it('shifts by whole pixels within the bound and cuts a square of half the side; the same seed gives the same images', async () => {
    const ones = tf.ones([16, 8, 8, 1]);
    const cut = diffAugment(ones, 4, { translation: 0, cutout: 1 / 2, colour: false });
    const cutValues = await cut.data();
    for (let b = 0; b < 16; b++) {
      const zeros = cutValues.subarray(b * 64, (b + 1) * 64).filter((v) => v === 0).length;
      expect(zeros).toBeGreaterThan(0);
      expect(zeros).toBeLessThanOrEqual(16);
    }
    // One bright pixel in the middle: after a shift of at most 2 it is still one pixel of 1.
    const dot = new Float32Array(16 * 64);
    for (let b = 0; b < 16; b++) dot[b * 64 + 3 * 8 + 4] = 1;
    const moved = diffAugment(tf.tensor4d(dot, [16, 8, 8, 1]), 4, { translation: 1 / 4, cutout: 0, colour: false });
    const movedValues = await moved.data();
    const shifts = new Set<string>();
    for (let b = 0; b < 16; b++) {
      const at = movedValues.subarray(b * 64, (b + 1) * 64).findIndex((v) => v === 1);
      const [dy, dx] = [Math.floor(at / 8) - 3, (at % 8) - 4];
      expect(Math.max(Math.abs(dy), Math.abs(dx))).toBeLessThanOrEqual(2);
      shifts.add(`${dy},${dx}`);
      expect(Array.from(movedValues.subarray(b * 64, (b + 1) * 64)).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 6);
    }
    expect(shifts.size).toBeGreaterThan(3);
    const again = diffAugment(tf.tensor4d(dot, [16, 8, 8, 1]), 4, { translation: 1 / 4, cutout: 0, colour: false });
    expect(Array.from(await again.data())).toEqual(Array.from(movedValues));
    tf.dispose([ones, cut, moved, again]);
  });
});

/** A stand-in generator whose component k draws a bar across row 4k + 2 (its noise adds a faint speckle). */
/** `n` samples of `generator` for latents `z`, as [0, 1] floats. */
async function pixels(generator: Network, z: Float32Array, n: number): Promise<Float32Array> {
  const x = tf.tidy(() => generator.apply(generator.params, tf.tensor2d(z, [n, generator.config.latentDim])));
  const values = (await x.data()) as Float32Array;
  x.dispose();
  return values;
}

function barGenerator(components: number): Network {
  const config = archConfig('dcgan28', { latentDim: 16, latentComponents: components, dim: 2 });
  const patterns = new Float32Array(components * 784);
  for (let k = 0; k < components; k++) for (let j = 0; j < 28; j++) patterns[k * 784 + (4 * k + 2) * 28 + j] = 1;
  return {
    config,
    role: 'generator',
    params: {},
    apply: (_p, z) =>
      tf.tidy(() => {
        const k = tf.argMax(tf.slice(z, [0, 0], [-1, components]), 1);
        const bars = tf.matMul(tf.cast(tf.oneHot(k, components), 'float32'), tf.tensor2d(patterns, [components, 784]));
        const speckle = tf.mul(tf.abs(tf.slice(z, [0, components], [-1, 1])), 0.05);
        return tf.reshape(tf.clipByValue(tf.add(bars, speckle), 0, 1), [-1, 28, 28, 1]);
      }),
  };
}

function barImages(rows: number[], background = 0): { data: Uint8Array; shape: [number, number, number, number] } {
  const data = new Uint8Array(rows.length * 784).fill(background);
  rows.forEach((row, i) => {
    for (let j = 2; j < 26; j++) data[i * 784 + row * 28 + j] = 230;
  });
  return { data, shape: [rows.length, 28, 28, 1] };
}

describe('chooseComponents', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it('keeps the component whose samples lie nearest the images, and both when the images split between two', async () => {
    const g = barGenerator(5);
    const one = await chooseComponents(g, barImages([14, 14, 14, 14, 14]));
    expect(one.allowed).toEqual([3]);
    expect(one.votes[3]).toBe(25);
    const two = await chooseComponents(g, barImages([6, 6, 6, 18, 18, 18]));
    expect(two.allowed).toEqual([1, 4]);
    // Among the candidates only: bars at row 14 (component 3's) with a fainter one at row 10 (2's).
    const both = barImages([14, 14, 14]);
    for (let i = 0; i < 3; i++) for (let j = 2; j < 26; j++) both.data[i * 784 + 10 * 28 + j] = 100;
    expect((await chooseComponents(g, both)).allowed).toEqual([3]);
    expect((await chooseComponents(g, both, { candidates: [0, 1, 2] })).allowed).toEqual([2]);
  });
});

describe('fineTune on a tiny model', () => {
  const arch: ArchConfig = archConfig('dcgan28', { dim: 2, latentDim: 12, latentComponents: 3 });
  let model: ModelContents;
  // A grey background: the random tiny model draws on 0.5, and the background check must pass.
  const images = barImages([6, 7, 6, 8, 6], 80);

  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    const trainer = new Trainer({
      loss: 'wgan-gp',
      arch,
      data: imageDataset(images, arch.outputRange),
      seed: 1,
      batchSize: 4,
    });
    model = await modelFromTrainer(trainer, { dataset: 'bars' });
    trainer.dispose();
  });

  it('runs end to end: components chosen, FreezeD keeps conv1, the result samples, no tensor left behind', async () => {
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const result = await fineTune(model, images, {
      steps: 3,
      batchSize: 4,
      seed: 2,
      onProgress: (m) => void seen.push(m.step),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.stepsRun).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
    expect(result.choice?.allowed.length).toBeGreaterThanOrEqual(1);
    // Anchors between the images, in place of the components.
    expect(SPREAD_GRID).toContain((result.model.architecture.latentAnchors as LatentAnchors).spread);
    expect((result.model.architecture.latentAnchors as LatentAnchors).points.length).toBeGreaterThanOrEqual(1);
    expect(result.model.architecture.latentComponentsAllowed).toBeUndefined();
    expect(result.model.provenance).toMatchObject({
      dataset: 'bars',
      loss: 'wgan-gp',
      seed: 2,
      steps: 3,
      fineTune: { images: 5, steps: 3 },
    });
    expect(result.model.critic!['conv1/kernel'].values).toEqual(model.critic!['conv1/kernel'].values);
    expect(result.model.critic!['conv2/kernel'].values).not.toEqual(model.critic!['conv2/kernel'].values);
    expect(result.model.generator['input/kernel'].values).not.toEqual(model.generator['input/kernel'].values);
    // The same seed gives the same model; a stop before the first step keeps the model as it was.
    const again = await fineTune(model, images, { steps: 3, batchSize: 4, seed: 2 });
    expect(again.model.generator['input/kernel'].values).toEqual(result.model.generator['input/kernel'].values);
    const stop = new AbortController();
    stop.abort();
    const stopped = await fineTune(model, images, { steps: 3, signal: stop.signal });
    expect(stopped.stopped).toBe('aborted');
    expect(stopped.stepsRun).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('without anchors keeps the chosen components', async () => {
    const components = await fineTune(model, images, { steps: 0, anchorSpread: null });
    expect(components.model.architecture.latentComponentsAllowed).toEqual(components.choice!.allowed);
    expect(components.model.architecture.latentAnchors).toBeUndefined();
  });

  it("invertGenerator: each image's inversion draws it nearer than any of 128 samples of the kept components", async () => {
    const allowed = [0, 2];
    const generator = generatorFromModel(model, 'base');
    const before = tf.memory().numTensors;
    const inversion = await invertGenerator(generator, images, allowed, 4);
    expect(tf.memory().numTensors).toBe(before);
    const count = images.shape[0];
    expect(Array.from(inversion.components).every((k) => allowed.includes(k))).toBe(true);
    // The latent that picks each image's component (1 there, 0 elsewhere) and reads its noise.
    const latents = new Float32Array(count * arch.latentDim);
    for (let i = 0; i < count; i++) {
      latents[i * arch.latentDim + inversion.components[i]] = 1;
      latents.set(
        inversion.noise.subarray(i * (arch.latentDim - 3), (i + 1) * (arch.latentDim - 3)),
        i * arch.latentDim + 3,
      );
    }
    const inverted = await pixels(generator, latents, count);
    const restricted = generatorFromModel(
      { ...model, architecture: { ...model.architecture, latentComponentsAllowed: allowed } },
      'restricted',
    );
    const samples = await pixels(restricted, await seededLatents(128, arch.latentDim, 13), 128);
    const error = (a: Float32Array, i: number, b: Float32Array, j: number) =>
      a.subarray(i * 784, (i + 1) * 784).reduce((sum, v, t) => sum + (v - b[j * 784 + t]) ** 2, 0);
    const targets = Float32Array.from(images.data, (v) => v / 255);
    for (let i = 0; i < count; i++) {
      const nearestSample = Math.min(...Array.from({ length: 128 }, (_, j) => error(targets, i, samples, j)));
      expect(error(targets, i, inverted, i)).toBeLessThan(nearestSample);
    }
    for (const g of [generator, restricted]) disposeParams(g.params);
  });

  it('chooseSpread: the smallest spread of its grid that keeps the samples the target away from the images, the largest when none does', async () => {
    const generator = generatorFromModel(model, 'base');
    const inversion = await invertGenerator(generator, images, [0, 1, 2], 4);
    const before = tf.memory().numTensors;
    expect(await chooseSpread(generator, images, inversion, 2, 0, 1)).toBe(SPREAD_GRID[0]);
    expect(await chooseSpread(generator, images, inversion, 2, 100, 1)).toBe(1);
    // A higher target never picks a tighter draw (the same noise at every spread and target).
    const picked = [];
    for (const target of [0.2, 0.4, 0.6, 0.8])
      picked.push(await chooseSpread(generator, images, inversion, 2, target, 1));
    expect(picked).toEqual([...picked].sort((a, b) => a - b));
    expect(tf.memory().numTensors).toBe(before);
    disposeParams(generator.params);
  });

  it("anchorsBetween: the midpoints of pairs of one component at the pair's mean norm; spread 1 gives the centres back", () => {
    const noiseDim = 4;
    const inversion = {
      components: Int32Array.from([1, 0, 1, 1]),
      noise: Float32Array.from({ length: 16 }, (_, t) => Math.cos(t) * 2),
    };
    const { points, spread } = anchorsBetween(inversion, 3, 0.6, 2, 0);
    expect(spread).toBe(0.6);
    // Pairs of component 1: (0, 2), (0, 3), (2, 3); image 1 is alone in component 0.
    expect(points).toHaveLength(3);
    const centres = mixtureCentres(3, noiseDim);
    const row = (i: number) => Array.from(inversion.noise.subarray(i * noiseDim, (i + 1) * noiseDim));
    const want = [
      [0, 2],
      [0, 3],
      [2, 3],
    ].map(([i, j]) => {
      const mid = row(i).map((v, t) => (v + row(j)[t]) / 2);
      const scale = (Math.hypot(...row(i)) + Math.hypot(...row(j))) / 2 / Math.hypot(...mid);
      return mid.map((v, t) => centres[noiseDim + t] + 0.8 * scale * v);
    });
    const sorted = (xs: number[][]) => [...xs].sort((a, b) => a[0] - b[0]);
    sorted(points).forEach((p, i) => p.forEach((v, t) => expect(v).toBeCloseTo(sorted(want)[i][t], 3)));
    for (const p of anchorsBetween(inversion, 3, 1, 2, 0).points)
      p.forEach((v, t) => expect(v).toBeCloseTo(centres[noiseDim + t], 3));
    // No two images share a component: the images themselves.
    expect(
      anchorsBetween({ components: Int32Array.from([0, 1]), noise: inversion.noise.slice(0, 8) }, 3, 0.6, 2, 0).points,
    ).toHaveLength(2);
  });

  it('refuses 0 or 1 image, an array that is not of images, a model without a critic, anchor options out of range', async () => {
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e as FineTuneInputError,
      );
    for (const rows of [[], [6]]) {
      const e = await refusal(fineTune(model, barImages(rows, 80), { steps: 1 }));
      expect(e).toBeInstanceOf(FineTuneInputError);
      expect(e!.code).toBe('too-few-images');
      expect(e!.message).toMatch(/at least 2/);
    }
    // Other sizes and colour are converted (finetune_inputs.test.ts); two channels are not an image.
    const twoChannels = {
      data: new Uint8Array(3 * 32 * 32 * 2),
      shape: [3, 32, 32, 2] as [number, number, number, number],
    };
    expect((await refusal(fineTune(model, twoChannels, { steps: 1 })))!.code).toBe('image-shape');
    const e = await refusal(fineTune({ ...model, critic: undefined }, images, { steps: 1 }));
    expect(e!.code).toBe('no-critic');
    expect(e!.message).toMatch(/no critic/);
    for (const [options, message] of [
      [{ anchorSpread: 0 }, /anchorSpread must be 'auto', a number in \(0, 1\] or null, got 0/],
      [{ anchorSpread: 1.2 }, /anchorSpread .* got 1.2/],
      [{ anchorGroup: 0 }, /anchorGroup must be an integer >= 1, got 0/],
    ] as const) {
      const bad = await refusal(fineTune(model, images, { steps: 1, ...options }));
      expect(bad).toMatchObject({ code: 'bad-option', message: expect.stringMatching(message) });
    }
  });
});

describe('nearestShotRatio', () => {
  it("reads 0 for copies of the shots and the median distance otherwise; variety reads the samples' own spread", () => {
    const shots = Float32Array.from([0, 0, 10, 0]);
    const reals = Float32Array.from([0, 0, 0, 2, 0, 4]);
    expect(nearestShotRatio(shots, shots, reals, 2).ratio).toBe(0);
    // typical real pair: distances 2, 4, 2 -> 2; samples at 1, 1, 3 from the nearest shot -> median 1.
    const r = nearestShotRatio(Float32Array.from([0, 1, 11, 0, 0, 3]), shots, reals, 2);
    expect(r.typicalRealDistance).toBe(2);
    expect(r.ratio).toBeCloseTo(0.5, 6);
    // Sample pairs: sqrt(122), 2, sqrt(130) -> median sqrt(122), over the typical 2.
    expect(r.variety).toBeCloseTo(Math.sqrt(122) / 2, 5);
    // One image far from every shot, drawn three times: a high ratio, no variety.
    const one = nearestShotRatio(Float32Array.from([5, 5, 5, 5, 5, 5]), shots, reals, 2);
    expect(one.ratio).toBeGreaterThan(1);
    expect(one.variety).toBe(0);
  });
});
