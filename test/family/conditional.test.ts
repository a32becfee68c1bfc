/**
 * Class-conditional models (architecture.labels): the config and its weights, the labels a
 * network takes or refuses, labelled image datasets, the trainer (labels drawn from the data,
 * exact resume, and a run that learns what each label means), sampling with `label`, and a
 * model file's round trip.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import type { Dataset } from '../../src/data/dataset';
import { imageDataset } from '../../src/data/images';
import { decodeModel, encodeModel } from '../../src/io/codec';
import { prepareFineTune } from '../../src/io/finetune';
import { generatorFromModel, labelsAsComponents, modelFromTrainer } from '../../src/io/networks';
import { createCritic, createGenerator, paramShapes } from '../../src/models';
import { archConfig, validateArch } from '../../src/models/config';
import { mixtureCentres } from '../../src/models/latent_mixture';
import { disposeParams } from '../../src/nn/params';
import {
  generateSamples,
  interpolateGenerator,
  sampleGenerator,
  sampleLabels,
  sampleLatents,
} from '../../src/sample/generate';
import { latents } from '../../src/sample/latents';
import { Trainer } from '../../src/train/trainer';
import { Rng } from '../../src/utils/rng';
import { expectStatesIdentical } from './helpers';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/** Four labelled clusters of 2-D points: label k sits at angle k pi / 2 on the unit circle. */
const CENTRES = [
  [1, 0],
  [0, 1],
  [-1, 0],
  [0, -1],
];
const CLUSTER_STD = 0.05;

function clusters(weights = [1, 1, 1, 1]): Dataset {
  const total = weights.reduce((a, b) => a + b, 0);
  const drawLabel = (rng: Rng) => {
    let u = rng.uniform() * total;
    let k = 0;
    while (u >= weights[k]) u -= weights[k++];
    return k;
  };
  const draw = (batchSize: number, rng: Rng) => {
    const labels = Int32Array.from({ length: batchSize }, () => drawLabel(rng));
    const points = Float32Array.from(
      { length: 2 * batchSize },
      (_, i) => CENTRES[labels[i >> 1]][i & 1] + CLUSTER_STD * rng.normal(),
    );
    return { samples: tf.tensor2d(points, [batchSize, 2]), labels: tf.tensor1d(labels, 'int32') };
  };
  return {
    sampleShape: [2],
    next(batchSize, rng) {
      const { samples, labels } = draw(batchSize, rng);
      labels.dispose();
      return samples;
    },
    labelled: {
      classes: CENTRES.length,
      nextLabelled: draw,
      nextLabels: (batchSize, rng) =>
        tf.tensor1d(
          Int32Array.from({ length: batchSize }, () => drawLabel(rng)),
          'int32',
        ),
    },
  };
}

/** A 4 x 4 x 1 image whose every pixel holds its label (times 10), and its label. */
function labelledImages(labels: number[]) {
  const data = Uint8Array.from(labels.flatMap((l) => new Array(16).fill(10 * l)));
  return {
    images: { data, shape: [labels.length, 4, 4, 1] as [number, number, number, number] },
    labels: { values: Uint8Array.from(labels), classes: 4 },
  };
}

/** Two blank 28x28 images. */
/** A conditional dcgan28 pair over 4 labels, its weights those of seed 1 (untrained). */
async function conditionalDigits() {
  const trainer = new Trainer({
    loss: 'wgan-gp',
    arch: archConfig('dcgan28', { dim: 2, latentDim: 16, labels: 4 }),
    data: imageDataset(labelledImages28(), [0, 1], 'fixture', { values: Uint8Array.from([0, 1]), classes: 4 }),
    seed: 1,
  });
  const model = await modelFromTrainer(trainer, {});
  trainer.dispose();
  return model;
}

const labelledImages28 = () => ({
  data: new Uint8Array(2 * 28 * 28),
  shape: [2, 28, 28, 1] as [number, number, number, number],
});

describe('conditional architectures', () => {
  it('labels: an integer >= 2, checked; absent (every older model.json) is unconditional with the weights it had', () => {
    for (const bad of [1, 2.5, -3, '10', 1025]) {
      expect(() => validateArch({ ...archConfig('dcgan28'), labels: bad })).toThrow(
        /labels must be an integer from 2 to 1024 .* got/,
      );
    }
    const plain = archConfig('dcgan28', { dim: 32 });
    expect(plain.labels).toBeUndefined();
    expect(paramShapes(plain, 'generator')['input/kernel']).toEqual([128, 2048]);
    expect(paramShapes(plain, 'critic')['projection/kernel']).toBeUndefined();
    const conditional = archConfig('dcgan28', { dim: 32, labels: 10, latentComponents: 10 });
    // The mixture turns 128 values into 118 of noise; the one-hot label adds 10.
    expect(paramShapes(conditional, 'generator')['input/kernel']).toEqual([128 - 10 + 10, 2048]);
    expect(paramShapes(conditional, 'critic')['projection/kernel']).toEqual([10, 2048]);
    expect(paramShapes(archConfig('mlp', { hidden: 8, labels: 3 }), 'critic')['projection/kernel']).toEqual([3, 8]);
  });

  it('a conditional network needs int32 labels [batch], an unconditional one refuses them', () => {
    const arch = archConfig('mlp', { hidden: 8, depth: 1, labels: 3 });
    const generator = createGenerator(arch, 1);
    const critic = createCritic(arch, 2);
    const plain = createGenerator(archConfig('mlp', { hidden: 8, depth: 1 }), 3);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const z = latents(4, 2, 1);
      expect(() => generator.apply(generator.params, z)).toThrow(
        'the mlp generator is conditional (3 labels): it needs labels, an int32 tensor [4]',
      );
      expect(() => critic.apply(critic.params, tf.zeros([4, 2]))).toThrow('the mlp critic is conditional (3 labels)');
      expect(() => generator.apply(generator.params, z, tf.tensor1d([0, 1, 2], 'int32'))).toThrow(
        'expects labels as int32 [4] (one per sample), got int32 [3]',
      );
      expect(() => generator.apply(generator.params, z, tf.tensor1d([0, 1, 2, 0], 'float32') as tf.Tensor1D)).toThrow(
        'got float32 [4]',
      );
      expect(() => plain.apply(plain.params, z, tf.tensor1d([0, 1, 2, 0], 'int32'))).toThrow(
        'the mlp generator is unconditional: it takes no labels',
      );
    });
    expect(tf.memory().numTensors).toBe(before);
    [generator, critic, plain].forEach((n) => disposeParams(n.params));
  });

  it('the label changes the sample, the latent mixture still picks its component from the latent', async () => {
    const arch = archConfig('mlp', { hidden: 8, depth: 1, latentDim: 6, latentComponents: 3, labels: 4 });
    const generator = createGenerator(arch, 5);
    const z = await sampleLatents(arch.latentDim, { n: 3, seed: 9 });
    const as = async (label: number) =>
      (await generateSamples(generator, z, 'float32', new Int32Array(3).fill(label))).values;
    const [a, b, again] = [await as(0), await as(2), await as(0)];
    expect(Array.from(a)).toEqual(Array.from(again));
    expect(Array.from(a)).not.toEqual(Array.from(b));
    disposeParams(generator.params);
  });
});

describe('labelled image datasets', () => {
  it('nextLabelled gives each image its own label; next draws the same images from the same rng state', async () => {
    const { images, labels } = labelledImages([0, 1, 2, 3, 1, 2]);
    const data = imageDataset(images, [0, 1], 'fixture', labels);
    expect(data.labelled?.classes).toBe(4);
    const { samples, labels: drawn } = data.labelled!.nextLabelled(32, new Rng(4));
    const pixels = (await samples.array()) as number[][][][];
    const ids = await drawn.array();
    expect(drawn.dtype).toBe('int32');
    ids.forEach((label, i) => expect(Math.round(pixels[i][0][0][0] * 255)).toBe(10 * label));
    expect(new Set(ids).size).toBe(4);
    const plain = data.next(32, new Rng(4));
    expect(Array.from(await plain.data())).toEqual(Array.from(await samples.data()));
    tf.dispose([samples, drawn, plain]);
  });

  it("nextLabels follows the data's own label distribution", async () => {
    const { images, labels } = labelledImages([3, 3, 3, 3, 3, 3, 3, 3, 3, 0]);
    const drawn = imageDataset(images, [0, 1], 'fixture', labels).labelled!.nextLabels(4000, new Rng(1));
    const threes = (await drawn.array()).filter((l) => l === 3).length / 4000;
    expect(threes).toBeGreaterThan(0.87);
    expect(threes).toBeLessThan(0.93);
    drawn.dispose();
  });

  it('refuses labels that do not fit, naming the image', () => {
    const { images } = labelledImages([0, 1]);
    expect(() => imageDataset(images, [0, 1], 'fixture', { values: Uint8Array.from([0]), classes: 4 })).toThrow(
      'fixture: 2 images but 1 labels',
    );
    expect(() => imageDataset(images, [0, 1], 'fixture', { values: Uint8Array.from([0, 4]), classes: 4 })).toThrow(
      'fixture: label 4 of image 1 is outside 0..3',
    );
    expect(() => imageDataset(images, [0, 1], 'fixture', { values: Uint8Array.from([0, 0]), classes: 1 })).toThrow(
      'labels.classes must be an integer >= 2',
    );
  });
});

describe('the conditional trainer', () => {
  const arch = archConfig('mlp', { hidden: 32, depth: 2, labels: CENTRES.length });

  it('refuses data without labels, or with another number of classes', () => {
    expect(
      () => new Trainer({ loss: 'wgan-gp', arch, data: { sampleShape: [2], next: () => tf.zeros([1, 2]) }, seed: 1 }),
    ).toThrow('trainer config: the architecture is conditional on 4 labels, the data has no labels');
    const three = { ...clusters(), labelled: { ...clusters().labelled!, classes: 3 } };
    expect(() => new Trainer({ loss: 'wgan-gp', arch, data: three, seed: 1 })).toThrow('the data has 3 classes');
  });

  it('resumes bit for bit: 2 + 2 steps from a state equal 4 straight', async () => {
    const config = { loss: 'wgan-gp' as const, arch, data: clusters(), seed: 3, batchSize: 16 };
    const straight = new Trainer(config);
    await straight.run({ steps: 4 });
    const first = new Trainer(config);
    await first.run({ steps: 2 });
    const resumed = Trainer.fromState(await first.getState(), clusters());
    await resumed.run({ steps: 2 });
    expectStatesIdentical(await resumed.getState(), await straight.getState());
    [straight, first, resumed].forEach((t) => t.dispose());
  });

  it('learns what each label means: label k samples land on cluster k (4 labels, 150 steps of WGAN-GP)', async () => {
    const trainer = new Trainer({ loss: 'wgan-gp', arch, data: clusters(), seed: 11, batchSize: 64 });
    const before = tf.memory().numTensors;
    await trainer.run({ steps: 150 });
    expect(tf.memory().numTensors).toBe(before);
    const generator = { ...trainer.generator, params: trainer.emaGenerator!.params };
    for (let label = 0; label < CENTRES.length; label++) {
      const { values } = await sampleGenerator(generator, { n: 200, seed: 5, label });
      let nearest = 0;
      for (let i = 0; i < 200; i++) {
        const d = CENTRES.map(([x, y]) => Math.hypot(values[2 * i] - x, values[2 * i + 1] - y));
        if (d.indexOf(Math.min(...d)) === label) nearest++;
      }
      // Ignoring the label would put about a quarter on each cluster.
      expect(nearest / 200, `label ${label}`).toBeGreaterThan(0.9);
    }
    trainer.dispose();
  }, 120_000);
});

describe('sampling a conditional model', () => {
  const arch = archConfig('mlp', { hidden: 8, depth: 1, labels: 5 });

  it('label k for every sample; without it, uniform labels that are a function of the seed', async () => {
    const generator = createGenerator(arch, 2);
    const z = await sampleLatents(arch.latentDim, { n: 6, seed: 4 });
    const withLabel = await sampleGenerator(generator, { n: 6, seed: 4, label: 3 });
    expect(Array.from(withLabel.values)).toEqual(
      Array.from((await generateSamples(generator, z, 'float32', new Int32Array(6).fill(3))).values),
    );
    const defaults = sampleLabels(5, { n: 5000, seed: 4 })!;
    expect(Array.from(defaults)).toEqual(Array.from(sampleLabels(5, { n: 5000, seed: 4 })!));
    expect(Array.from(defaults)).not.toEqual(Array.from(sampleLabels(5, { n: 5000, seed: 5 })!));
    for (let k = 0; k < 5; k++) {
      const share = defaults.filter((l) => l === k).length / 5000;
      expect(share).toBeGreaterThan(0.17);
      expect(share).toBeLessThan(0.23);
    }
    const unlabelled = await sampleGenerator(generator, { n: 6, seed: 4 });
    const expected = await generateSamples(generator, z, 'float32', sampleLabels(5, { n: 6, seed: 4 }));
    expect(Array.from(unlabelled.values)).toEqual(Array.from(expected.values));
    disposeParams(generator.params);
  });

  it('refuses a label out of range, and any label for an unconditional model', async () => {
    const generator = createGenerator(arch, 2);
    const plain = createGenerator(archConfig('mlp', { hidden: 8, depth: 1 }), 2);
    await expect(sampleGenerator(generator, { n: 2, seed: 0, label: 5 })).rejects.toThrow(
      "label must be an integer from 0 to 4 (the model's 5 classes), got 5",
    );
    await expect(sampleGenerator(generator, { n: 2, seed: 0, label: 1.5 })).rejects.toThrow('got 1.5');
    await expect(sampleGenerator(plain, { n: 2, seed: 0, label: 0 })).rejects.toThrow(
      'label 0: this model is unconditional, it takes no label',
    );
    await expect(interpolateGenerator(plain, { from: 0, to: 1, steps: 3, label: 0 })).rejects.toThrow('unconditional');
    [generator, plain].forEach((n) => disposeParams(n.params));
  });

  it('a walk keeps one label: the given one, else the one sampleGenerator gives seed `from` first', async () => {
    const generator = createGenerator(arch, 2);
    const walk = await interpolateGenerator(generator, { from: 3, to: 8, steps: 4 });
    const first = await sampleGenerator(generator, { n: 1, seed: 3 });
    expect(Array.from(walk.values.subarray(0, 2))).toEqual(Array.from(first.values));
    const labelled = await interpolateGenerator(generator, { from: 3, to: 8, steps: 4, label: 1 });
    const firstOfOne = await sampleGenerator(generator, { n: 1, seed: 3, label: 1 });
    expect(Array.from(labelled.values.subarray(0, 2))).toEqual(Array.from(firstOfOne.values));
    disposeParams(generator.params);
  });

  it("fine-tuning a conditional model toward a label keeps that label's component; a bad label is refused", async () => {
    const model = await conditionalDigits();
    // Mid-grey images: the untrained generator's border (sigmoid of about 0) passes the background rule.
    const images = {
      data: new Uint8Array(4 * 28 * 28).fill(128),
      shape: [4, 28, 28, 1] as [number, number, number, number],
    };
    const prepared = await prepareFineTune(model, images, { label: 2, steps: 1, anchorSpread: null }, 'the digits');
    expect(prepared.choice?.allowed).toEqual([2]);
    expect(prepared.arch.labels).toBeUndefined();
    expect(prepared.arch.latentComponents).toBe(4);
    expect(prepared.arch.latentComponentsAllowed).toEqual([2]);
    prepared.trainer.dispose();
    for (const [label, message] of [
      [4, 'label must be an integer from 0 to 3 (the digits has 4 classes), got 4'],
      [1.5, 'label must be an integer from 0 to 3 (the digits has 4 classes), got 1.5'],
    ] as const) {
      await expect(prepareFineTune(model, images, { label }, 'the digits')).rejects.toThrow(message);
    }
    await expect(prepareFineTune(model, images, { label: 1, components: [1] }, 'the digits')).rejects.toThrow(
      'give a label or components, not both',
    );
  });

  it('a model file keeps the labels: its generator draws what the trainer did', async () => {
    const trainer = new Trainer({
      loss: 'wgan-gp',
      arch: archConfig('mlp', { hidden: 8, depth: 1, labels: 4 }),
      data: clusters(),
      seed: 1,
      batchSize: 8,
    });
    await trainer.run({ steps: 1 });
    const encoded = await encodeModel(await modelFromTrainer(trainer, { dataset: 'clusters' }), 'float32');
    const model = await decodeModel(encoded.json, async (path) => encoded.files[path] ?? null, 'round trip');
    expect(model.architecture.labels).toBe(4);
    const loaded = generatorFromModel(model, 'round trip');
    const direct = { ...trainer.generator, params: trainer.emaGenerator!.params };
    const [a, b] = [
      await sampleGenerator(loaded, { n: 4, seed: 2, label: 3 }),
      await sampleGenerator(direct, { n: 4, seed: 2, label: 3 }),
    ];
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    disposeParams(loaded.params);
    trainer.dispose();
  });
});

describe('a conditional model read as a latent mixture (labelsAsComponents)', () => {
  it('component k at zero noise draws what label k draws from a zero latent', async () => {
    const model = await conditionalDigits();
    const conditional = generatorFromModel(model, 'the digits');
    const mixture = generatorFromModel(labelsAsComponents(model, 'the digits'), 'the digits');
    expect(mixture.config.latentComponents).toBe(4);
    expect(mixture.config.labels).toBeUndefined();
    // Latents whose first 4 values pick component k (its value largest), the noise 0.
    const choice = tf.tidy(() => tf.concat([tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 4), tf.zeros([4, 12])], 1));
    const [a, b] = tf.tidy(() => [
      mixture.apply(mixture.params, choice),
      conditional.apply(conditional.params, tf.zeros([4, 16]), tf.tensor1d([0, 1, 2, 3], 'int32')),
    ]);
    const [x, y] = [await a.data(), await b.data()];
    expect(Math.max(...x.map((v, i) => Math.abs(v - y[i])))).toBeLessThan(1e-5);
    tf.dispose([choice, a, b]);
    disposeParams(conditional.params);
    disposeParams(mixture.params);
  });

  it('noise off the centres reads as the conditional latent: the kernel W has W^T P W / 2 = W_z^T W_z (P: off the centres, by QR)', async () => {
    const model = await conditionalDigits();
    const converted = labelsAsComponents(model, 'the digits');
    const [K, noiseDim] = [4, 12];
    const units = model.generator['input/kernel'].shape[1];
    const [gap, scale] = tf.tidy(() => {
      const W = tf.tensor2d(converted.generator['input/kernel'].values, [noiseDim, units]);
      const Wz = tf.slice(
        tf.tensor2d(model.generator['input/kernel'].values, [16 + K, units]),
        [0, 0],
        [noiseDim - K, units],
      );
      const [q] = tf.linalg.qr(tf.transpose(tf.tensor2d(mixtureCentres(K, noiseDim), [K, noiseDim])));
      const off = tf.sub(tf.eye(noiseDim), tf.matMul(q, q, false, true));
      const lhs = tf.div(tf.matMul(tf.matMul(W, off, true, false), W), 2);
      const rhs = tf.matMul(Wz, Wz, true, false);
      return [tf.max(tf.abs(tf.sub(lhs, rhs))), tf.max(tf.abs(rhs))];
    });
    expect((await gap.data())[0]).toBeLessThan(1e-4 * (await scale.data())[0]);
    tf.dispose([gap, scale]);
    expect(Object.keys(converted.critic!)).not.toContain('projection/kernel');
    expect(converted.provenance.labelsAsComponents).toBe(4);
  });
});
