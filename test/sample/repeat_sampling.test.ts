/**
 * Sampling one generator again and again on WASM reuses what its transposed convolutions made
 * from the weights (the phase filters kept per weight tensor, src/backend/kernels/
 * Conv2DBackpropInput_wasm.ts). Whatever changes the weights must show in the next samples: a
 * training step, a weight load. Each is checked against a generator built afresh from the same
 * values (new tensors: nothing kept, every filter made anew), which must give the very same
 * numbers, and against the CPU backend, whose transposed convolution is tfjs' own.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import '../../src/index';
import { imageDataset } from '../../src/data/images';
import { createGenerator } from '../../src/models';
import { archConfig } from '../../src/models/config';
import type { Network } from '../../src/models/network';
import { assignParams, disposeParams, readParams, type NamedArrays } from '../../src/nn/params';
import { sampleGenerator } from '../../src/sample/generate';
import { Trainer } from '../../src/train/trainer';
import { relativeError } from '../kernels/helpers';

// DIM 8: the first two transposed convs have 16 and 8 output channels (one conv per phase), the
// last one 1 (all phases in one conv): both ways of the kernel.
const ARCH = archConfig('dcgan28', { dim: 8 });
const SAMPLES = { n: 3, seed: 5 };

async function samples(generator: Network): Promise<Float32Array> {
  return (await sampleGenerator(generator, SAMPLES)).values;
}

/** Samples of a generator made afresh from `arrays` on `backend`. */
async function freshSamples(arrays: NamedArrays, backend: 'wasm' | 'cpu'): Promise<Float32Array> {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  const generator = createGenerator(ARCH, 0);
  try {
    assignParams(generator.params, arrays, 'fresh generator');
    return await samples(generator);
  } finally {
    disposeParams(generator.params);
    await tf.setBackend(previous);
  }
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  return a.reduce((max, v, i) => Math.max(max, Math.abs(v - b[i])), 0);
}

describe('sampling the same generator again on WASM', () => {
  afterEach(() => tf.setBackend('wasm'));

  it("sample, train one step, sample: the new weights' samples, the same numbers as a fresh generator's, and the CPU backend's", async () => {
    await tf.setBackend('wasm');
    const tensorsBefore = tf.memory().numTensors;
    const dataBefore = tf.backend().numDataIds();
    const images = {
      data: Uint8Array.from({ length: 8 * 784 }, (_, i) => (i * 37) % 256),
      shape: [8, 28, 28, 1] as [number, number, number, number],
    };
    const trainer = new Trainer({
      loss: 'wgan-gp',
      arch: ARCH,
      data: imageDataset(images, ARCH.outputRange),
      seed: 1,
      batchSize: 4,
    });
    try {
      const generator = trainer.generator;
      const before = await samples(generator);
      // Twice: the second call runs on what the first one kept.
      expect(await samples(generator)).toEqual(before);
      expect(await samples(generator)).toEqual(await freshSamples(await readParams(generator.params), 'wasm'));

      await trainer.run({ steps: 1 });
      const trained = await readParams(generator.params);
      const after = await samples(generator);
      expect(maxDifference(after, before)).toBeGreaterThan(0);
      expect(after).toEqual(await freshSamples(trained, 'wasm'));
      expect(relativeError(after, await freshSamples(trained, 'cpu'))).toBeLessThan(1e-5);
    } finally {
      trainer.dispose();
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    // What the kernel kept went with the weights it was made from.
    expect(tf.backend().numDataIds()).toBe(dataBefore);
  });

  it("sample, load other weights, sample: the loaded weights' samples", async () => {
    await tf.setBackend('wasm');
    const tensorsBefore = tf.memory().numTensors;
    const generator = createGenerator(ARCH, 1);
    const other = createGenerator(ARCH, 2);
    const loaded = await readParams(other.params);
    disposeParams(other.params);
    try {
      const before = await samples(generator);
      assignParams(generator.params, loaded, 'loaded weights');
      const after = await samples(generator);
      expect(maxDifference(after, before)).toBeGreaterThan(0.01);
      expect(after).toEqual(await freshSamples(loaded, 'wasm'));
      expect(relativeError(after, await freshSamples(loaded, 'cpu'))).toBeLessThan(1e-5);
    } finally {
      disposeParams(generator.params);
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
