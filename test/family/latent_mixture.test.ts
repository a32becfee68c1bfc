// The latent mixture (models/latent_mixture.ts): the network reads (c_k + e) / sqrt(2), k the
// argmax of the latent's first K values and e the rest, checked against a loop over plain arrays.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { imageDataset } from '../../src/data/images';
import { decodeModel, encodeModel } from '../../src/io/codec';
import { generatorFromModel, modelFromTrainer } from '../../src/io/networks';
import { createGenerator } from '../../src/models';
import { archConfig } from '../../src/models/config';
import { mixtureCentres, mixtureInput } from '../../src/models/latent_mixture';
import { disposeParams } from '../../src/nn/params';
import { interpolateGenerator, interpolateLatents, sampleGenerator } from '../../src/sample/generate';
import { latentPath, seededLatents, type InterpolationPath } from '../../src/sample/latent_paths';
import { Trainer } from '../../src/train/trainer';

const K = 3;
const DIM = 8;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

async function run(z: Float32Array, n: number, f: (t: tf.Tensor2D) => tf.Tensor): Promise<Float32Array> {
  const out = tf.tidy(() => f(tf.tensor2d(z, [n, z.length / n])));
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return values;
}

describe('latent mixture', () => {
  it('reads (c_k + e) / sqrt(2), with k the argmax of the first K values and e the rest', async () => {
    const n = 6;
    const z = await seededLatents(n, DIM, 4);
    const got = await run(z, n, (t) => mixtureInput(t, K));
    const centres = mixtureCentres(K, DIM - K);
    for (let i = 0; i < n; i++) {
      const choice = Array.from(z.subarray(i * DIM, i * DIM + K));
      const k = choice.indexOf(Math.max(...choice));
      for (let j = 0; j < DIM - K; j++) {
        expect(got[i * (DIM - K) + j]).toBeCloseTo((centres[k * (DIM - K) + j] + z[i * DIM + K + j]) * Math.SQRT1_2, 6);
      }
    }
    // The centres are a pure function of the sizes, and no two components share one.
    expect(mixtureCentres(K, DIM - K)).toEqual(centres);
    expect(centres.subarray(0, DIM - K)).not.toEqual(centres.subarray(DIM - K, 2 * (DIM - K)));
  });

  it('each component equally likely, truncated or not', async () => {
    const n = 30000;
    for (const truncation of [undefined, 0.5]) {
      const z = await seededLatents(n, DIM, 5, truncation);
      const counts = new Array(K).fill(0);
      for (let i = 0; i < n; i++) {
        const choice = Array.from(z.subarray(i * DIM, i * DIM + K));
        counts[choice.indexOf(Math.max(...choice))]++;
      }
      // Binomial sd of a share: sqrt(p (1 - p) / n) = 0.0027; 4 sd.
      for (const c of counts) expect(Math.abs(c / n - 1 / K)).toBeLessThan(0.011);
    }
  });

  it('a generator with K components: its layers read latentDim - K values, and only the argmax of the first K matters', async () => {
    const arch = archConfig('dcgan28', { dim: 2, latentDim: DIM, latentComponents: K });
    const generator = createGenerator(arch, 1);
    expect(generator.params['input/kernel'].shape[0]).toBe(DIM - K);
    const z = await seededLatents(2, DIM, 6);
    // The same rows with the first K values moved but their argmax kept: the same samples.
    const moved = z.slice();
    for (let i = 0; i < 2; i++) {
      const row = moved.subarray(i * DIM, i * DIM + K);
      const k = row.indexOf(Math.max(...row));
      row.forEach((v, j) => (row[j] = j === k ? 9 : v - 5));
    }
    const sample = (x: Float32Array) => run(x, 2, (t) => generator.apply(generator.params, t));
    expect(await sample(moved)).toEqual(await sample(z));
    // Another argmax: another component, other samples.
    const switched = z.slice();
    switched[(switched.subarray(0, K).indexOf(Math.max(...switched.subarray(0, K))) + 1) % K] = 9;
    expect(await sample(switched)).not.toEqual(await sample(z));
    disposeParams(generator.params);
  });

  it("a model file keeps the mixture: the generator decoded from it samples what the trainer's does", async () => {
    const arch = archConfig('dcgan28', { dim: 2, latentDim: DIM, latentComponents: K });
    const images = {
      data: new Uint8Array(4 * 784).map((_, i) => (i * 7) % 256),
      shape: [4, 28, 28, 1] as [number, number, number, number],
    };
    const trainer = new Trainer({
      loss: 'wgan-gp',
      arch,
      data: imageDataset(images, arch.outputRange, 'test'),
      seed: 2,
      batchSize: 2,
    });
    await trainer.run({ steps: 1 });
    const model = await modelFromTrainer(trainer, { dataset: 'test' });
    expect(model.architecture.latentComponents).toBe(K);
    const encoded = await encodeModel(model);
    const decoded = await decodeModel(
      JSON.parse(JSON.stringify(encoded.json)),
      async (path) => encoded.files[path] ?? null,
      'test',
    );
    const rebuilt = generatorFromModel(decoded, 'test');
    const z = await seededLatents(3, DIM, 7);
    const trained = await run(z, 3, (t) => trainer.generator.apply(trainer.generator.params, t));
    expect(await run(z, 3, (t) => rebuilt.apply(rebuilt.params, t))).toEqual(trained);
    trainer.dispose();
    disposeParams(rebuilt.params);
  });

  it('refuses fewer than 2 components, or no noise left', () => {
    expect(() => archConfig('dcgan28', { latentDim: DIM, latentComponents: 1 })).toThrow(
      /latentComponents must be an integer from 2 to latentDim - 1 \(7\), got 1/,
    );
    expect(() => archConfig('dcgan28', { latentDim: DIM, latentComponents: DIM })).toThrow(
      /latentComponents must be an integer from 2 to latentDim - 1/,
    );
  });
});

describe('a walk between two seeds of a mixture generator', () => {
  const arch = { latentDim: DIM, latentComponents: K };
  const inputSize = DIM - K;
  const componentOfSeed = async (seed: number) => {
    const z = Array.from((await seededLatents(1, DIM, seed)).subarray(0, K));
    return z.indexOf(Math.max(...z));
  };
  // Ends in different components, where a path through the latents jumps.
  const from = 1;
  let to = 2;
  beforeAll(async () => {
    while ((await componentOfSeed(to)) === (await componentOfSeed(from))) to++;
  });

  it("runs through the network input: evenly (lerp) or on the great circle (slerp), from one seed's latent to the other's", async () => {
    const steps = 7;
    for (const path of ['lerp', 'slerp'] as InterpolationPath[]) {
      const walk = await interpolateLatents(arch, { from, to, steps, path });
      expect(walk.subarray(0, DIM)).toEqual(await seededLatents(1, DIM, from));
      expect(walk.subarray((steps - 1) * DIM)).toEqual(await seededLatents(1, DIM, to));
      const inputs = await run(walk, steps, (t) => mixtureInput(t, K));
      const a = inputs.slice(0, inputSize);
      const b = inputs.slice((steps - 1) * inputSize);
      const slerp = latentPath(a, b, steps, 'slerp');
      for (let s = 0; s < steps; s++) {
        const t = s / (steps - 1);
        for (let j = 0; j < inputSize; j++) {
          const expected = path === 'lerp' ? (1 - t) * a[j] + t * b[j] : slerp[s * inputSize + j];
          expect(inputs[s * inputSize + j]).toBeCloseTo(expected, 5);
        }
      }
    }
    // The straight line between the latents themselves: the input leaps where the component
    // changes, by far more than the walk's even steps.
    const ends = await seededLatents(1, DIM, from);
    const straight = await run(latentPath(ends, await seededLatents(1, DIM, to), steps, 'lerp'), steps, (t) =>
      mixtureInput(t, K),
    );
    const walk = await run(await interpolateLatents(arch, { from, to, steps, path: 'lerp' }), steps, (t) =>
      mixtureInput(t, K),
    );
    const largestStep = (x: Float32Array) =>
      Math.max(
        ...Array.from({ length: steps - 1 }, (_, s) =>
          Math.hypot(...Array.from({ length: inputSize }, (_, j) => x[(s + 1) * inputSize + j] - x[s * inputSize + j])),
        ),
      );
    expect(largestStep(straight)).toBeGreaterThan(2 * largestStep(walk));
  });

  it("interpolateGenerator walks it: its ends are sampleGenerator's samples of the two seeds", async () => {
    const generator = createGenerator(archConfig('dcgan28', { dim: 2, ...arch }), 3);
    const steps = 5;
    const walk = await interpolateGenerator(generator, { from, to, steps });
    const size = walk.values.length / steps;
    expect(walk.values.subarray(0, size)).toEqual((await sampleGenerator(generator, { n: 1, seed: from })).values);
    expect(walk.values.subarray((steps - 1) * size)).toEqual(
      (await sampleGenerator(generator, { n: 1, seed: to })).values,
    );
    disposeParams(generator.params);
  });
});
