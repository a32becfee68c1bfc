// Models in and out of the runtime worker: a model folder URL, the Cache API and IndexedDB,
// read and written by the worker itself.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/init';
import type { ModelContents } from '../../src/io/codec';
import { generatorFromModel } from '../../src/io/networks';
import { deleteModelFromCache, loadModelFromCache } from '../../src/io/storage_cache';
import { ModelStorageError } from '../../src/io/storage_files';
import { deleteModelFromIndexedDb, loadModelFromIndexedDb } from '../../src/io/storage_indexeddb';
import { loadModelFromUrl } from '../../src/io/storage_url';
import { archConfig } from '../../src/models/config';
import { disposeParams } from '../../src/nn/params';
import { createRuntime, type Runtime } from '../../src/runtime/client';
import type { LoadProgress, TrainRequest } from '../../src/runtime/protocol';
import { seededLatents } from '../../src/sample/latent_paths';
import { ONE_IMAGE_STEP, patternImages, POINTS_MODEL_URL } from './toy_models';
import { WASM_FILES } from './wasm_files';
import { startWorker } from './worker_url';

const SAVED_NAME = 'runtime-models-test';
/** The shipped digits model, served from the repository root as an app would serve models/. */
const MNIST_URL = '/models/mnist/';
/**
 * Largest pixel change (in [0, 1]) one fine-tuning step of the mnist model may make; random
 * networks differ by ~1. One step of this request moves the shipped model's 16 samples by at
 * most 0.149 in Node (mean 0.0026); the model it replaced moved 0.063.
 */
const FINE_TUNE_STEP_CHANGE = 0.3;
const SAMPLE = { n: 16, seed: 5 };
/** Same weights and latents on wasm (worker) and cpu (page): float32 rounding only. */
const TOLERANCE = 1e-4;
const SHORT_RUN: TrainRequest = {
  loss: 'wgan-gp',
  arch: archConfig('mlp', { hidden: 8, depth: 1 }),
  data: { toy: '25gaussians' },
  seed: 3,
  steps: 2,
  batchSize: 16,
};

/** The samples of `model` on the page's cpu backend. */
async function reference(model: ModelContents): Promise<Float32Array> {
  const generator = generatorFromModel(model, 'reference');
  const z = await seededLatents(SAMPLE.n, generator.config.latentDim, SAMPLE.seed);
  const out = tf.tidy(() => generator.apply(generator.params, tf.tensor2d(z, [SAMPLE.n, generator.config.latentDim])));
  const values = Float32Array.from(await out.data());
  out.dispose();
  disposeParams(generator.params);
  return values;
}

async function samples(runtime: Runtime): Promise<Float32Array> {
  const result = await runtime.sample(SAMPLE);
  if (result.format !== 'float32') throw new Error('expected float32 samples');
  return result.values;
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((max, v, i) => Math.max(max, Math.abs(v - b[i])), 0);
}

let runtime: Runtime;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  runtime = await createRuntime({ worker: startWorker(), backend: 'wasm', wasmPaths: WASM_FILES });
});
afterAll(async () => {
  runtime.dispose();
  await deleteModelFromCache(SAVED_NAME);
  await deleteModelFromIndexedDb(SAVED_NAME);
});

describe('loading models into the worker', () => {
  it('from a model folder URL relative to the page, with download progress', async () => {
    const progress: LoadProgress[] = [];
    const summary = await runtime.load({ url: POINTS_MODEL_URL }, { onProgress: (p) => progress.push(p) });
    expect(summary.outputShape).toEqual([2]);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.loaded).toBe(progress.at(-1)!.total);
    const want = await reference(await loadModelFromUrl(POINTS_MODEL_URL));
    expect(maxAbsDifference(await samples(runtime), want)).toBeLessThan(TOLERANCE);
  });

  it('a missing folder: ModelStorageError with the HTTP status, and the loaded model stays', async () => {
    const before = await samples(runtime);
    const err = await runtime.load({ url: '/test/browser/fixtures/no-such-model/' }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelStorageError);
    expect(err.code).toBe('http');
    expect(err.status).toBe(404);
    expect(err.message).toContain('no-such-model');
    expect(await samples(runtime)).toEqual(before);
  });
});

describe('saving from the worker', () => {
  it.each([
    ['cache', { cache: SAVED_NAME }, () => loadModelFromCache(SAVED_NAME)],
    ['indexedDb', { indexedDb: SAVED_NAME }, () => loadModelFromIndexedDb(SAVED_NAME)],
  ] as const)(
    'a trained model saved to %s loads back, on the page and in another worker, to the same samples',
    async (_, target, readOnPage) => {
      await runtime.train(SHORT_RUN);
      const trained = await samples(runtime);
      await runtime.saveModel(target);
      const saved = await readOnPage();
      expect(saved.provenance).toMatchObject({ loss: 'wgan-gp', steps: SHORT_RUN.steps, backend: 'wasm' });
      expect(maxAbsDifference(await reference(saved), trained)).toBeLessThan(TOLERANCE);
      const other = await createRuntime({ worker: startWorker(), backend: 'cpu' });
      try {
        await other.load(target);
        expect(maxAbsDifference(await samples(other), trained)).toBeLessThan(TOLERANCE);
      } finally {
        other.dispose();
      }
    },
  );

  it('a name that holds nothing: ModelStorageError not-found', async () => {
    const err = await runtime.load({ cache: 'never-saved' }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelStorageError);
    expect(err.code).toBe('not-found');
  });
});

describe('fine-tuning in the worker', () => {
  it('the shipped mnist model, on a handful of images: the run goes on from its generator and critic', async () => {
    const shipped = await loadModelFromUrl(MNIST_URL);
    await runtime.load({ url: MNIST_URL });
    const before = await samples(runtime);
    const images = patternImages(8);
    const result = await runtime.train({ ...ONE_IMAGE_STEP, fromLoadedModel: true, data: { images } });
    expect(images.data.length).toBe(0);
    expect(result).toMatchObject({ stopped: 'completed', stepsRun: 1, step: shipped.provenance.steps! + 1 });
    expect(result.model.architecture).toEqual(shipped.architecture);
    // One Adam step moves each weight by about the learning rate (1e-4): the samples move, a little.
    const difference = maxAbsDifference(await samples(runtime), before);
    console.log(
      `one fine-tuning step of the shipped mnist model moved its samples by at most ${difference.toFixed(4)}`,
    );
    expect(difference).toBeGreaterThan(0);
    expect(difference).toBeLessThan(FINE_TUNE_STEP_CHANGE);
    const tuned = await runtime.exportModel();
    expect(tuned.provenance.steps).toBe(shipped.provenance.steps! + 1);
  });

  it('runtime.fineTune: the shipped mnist on a handful of images keeps the components it chose, with progress; one image is a bad request', async () => {
    const shipped = await loadModelFromUrl(MNIST_URL);
    await runtime.load({ url: MNIST_URL });
    const images = patternImages(8);
    const progress: number[] = [];
    const result = await runtime.fineTune({ images, steps: 2, onProgress: (p) => void progress.push(p.step) });
    expect(images.data.length).toBe(0);
    expect(result).toMatchObject({ stopped: 'completed', stepsRun: 2, step: shipped.provenance.steps! + 2 });
    expect(progress.at(-1)).toBe(shipped.provenance.steps! + 2);
    expect(result.components!.length).toBeGreaterThanOrEqual(1);
    expect((result.model.architecture.latentAnchors as { points: number[][] }).points.length).toBeGreaterThanOrEqual(1);
    const tuned = await runtime.exportModel();
    expect(tuned.architecture.latentAnchors).toEqual(result.model.architecture.latentAnchors);
    expect(tuned.provenance).toMatchObject({ fineTune: { images: 8, steps: 2 } });
    const one = patternImages(1);
    await expect(runtime.fineTune({ images: one })).rejects.toMatchObject({
      code: 'bad-request',
      message: expect.stringMatching(/1 image; a fine-tune needs at least 2/),
    });
  });

  it('refuses images drawn the other way round (ink on paper for light-on-dark digits), keeping the model', async () => {
    await runtime.load({ url: MNIST_URL });
    const before = await samples(runtime);
    const paper = patternImages(8);
    paper.data.forEach((v, i) => (paper.data[i] = 255 - v));
    const refused = runtime.train({ ...ONE_IMAGE_STEP, fromLoadedModel: true, data: { images: paper } });
    await expect(refused).rejects.toThrow(
      /^train: the images have a light background \(1\.00\) and the loaded model draws on a dark background \(0\.0\d\); turn them to their negatives first \(invertImages\)$/,
    );
    await expect(refused).rejects.toMatchObject({ code: 'bad-request' });
    expect(await samples(runtime)).toEqual(before);
  });
});
