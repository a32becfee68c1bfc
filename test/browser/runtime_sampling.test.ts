// Sampling through the worker on wasm, webgpu (forced, SwiftShader) and cpu, checked against
// the same generator evaluated on the page's own cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendName } from '../../src/backend/init';
import type { ModelContents } from '../../src/io/codec';
import { ModelFormatError } from '../../src/io/format';
import { validateArch } from '../../src/models/config';
import { createGenerator } from '../../src/models/index';
import { assignParams, disposeParams } from '../../src/nn/params';
import { createRuntime, type Runtime } from '../../src/runtime/client';
import { RuntimeError } from '../../src/runtime/errors';
import { seededLatents } from '../../src/sample/latent_paths';
import { DIGITS_ARCH, POINTS_ARCH, untrainedModel } from './toy_models';
import { WASM_FILES } from './wasm_files';
import { startWorker } from './worker_url';

/**
 * Same latents, same weights: backends differ only in float32 rounding (XNNPACK, WGSL and JS
 * sum in different orders). Measured here: max difference ~1e-6 for these nets.
 */
const CROSS_BACKEND_TOLERANCE = 1e-4;
const BACKENDS: BackendName[] = ['wasm', 'webgpu', 'cpu'];
const N = 16;
const SEED = 1234;
const TRUNCATION = 0.7;

let points: ModelContents;
let digits: ModelContents;

/** The generator on the page's cpu backend: the reference the worker must match. */
async function reference(model: ModelContents, latents: Float32Array, n: number): Promise<Float32Array> {
  const arch = validateArch(model.architecture);
  const generator = createGenerator(arch, 0);
  assignParams(generator.params, model.generator, 'reference');
  const out = tf.tidy(() => generator.apply(generator.params, tf.tensor2d(latents, [n, arch.latentDim])));
  const values = await out.data<'float32'>();
  out.dispose();
  disposeParams(generator.params);
  return Float32Array.from(values);
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  points = await untrainedModel(POINTS_ARCH, 11);
  digits = await untrainedModel(DIGITS_ARCH, 12);
});

describe.each(BACKENDS)('sampling in the worker on %s', (backend) => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await createRuntime({ worker: startWorker(), backend, wasmPaths: WASM_FILES });
  });
  afterAll(() => runtime.dispose());

  it('reports the backend it was asked for', async () => {
    const info = await runtime.info();
    expect(info.backend).toBe(backend);
    expect(info.scope).toBe('dedicated-worker');
  });

  it('refuses to sample before a model is loaded', async () => {
    const err = await runtime.sample({ n: 1, seed: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err.code).toBe('no-model');
  });

  it('same seed, same samples as the page-side cpu reference (toy points, truncated latents)', async () => {
    const sent = structuredClone(points);
    const summary = await runtime.load(sent);
    expect(summary.outputShape).toEqual([2]);
    // Transferred, not copied: the page's arrays are detached.
    expect(Object.values(sent.generator).every(({ values }) => values.length === 0)).toBe(true);
    const result = await runtime.sample({ n: N, seed: SEED, truncation: TRUNCATION });
    expect(result.format).toBe('float32');
    if (result.format !== 'float32') return;
    expect(result.shape).toEqual([N, 2]);
    const want = await reference(points, await seededLatents(N, POINTS_ARCH.latentDim, SEED, TRUNCATION), N);
    expect(maxAbsDifference(result.values, want)).toBeLessThan(CROSS_BACKEND_TOLERANCE);
    const again = await runtime.sample({ n: N, seed: SEED, truncation: TRUNCATION });
    expect(again.format === 'float32' && Array.from(again.values)).toEqual(Array.from(result.values));
  });

  it('images: float32 matches the reference; rgba and png carry the same pixels', async () => {
    await runtime.load(structuredClone(digits));
    const n = 4;
    const raw = await runtime.sample({ n, seed: SEED });
    if (raw.format !== 'float32') throw new Error('expected float32');
    expect(raw.shape).toEqual([n, 28, 28, 1]);
    const want = await reference(digits, await seededLatents(n, DIGITS_ARCH.latentDim, SEED), n);
    expect(maxAbsDifference(raw.values, want)).toBeLessThan(CROSS_BACKEND_TOLERANCE);

    const rgba = await runtime.sample({ n, seed: SEED, format: 'rgba' });
    if (rgba.format !== 'rgba') throw new Error('expected rgba');
    expect(rgba.shape).toEqual([n, 28, 28, 4]);
    const firstPixel = Math.round(raw.values[0] * 255);
    expect(Math.abs(rgba.values[0] - firstPixel)).toBeLessThanOrEqual(1);
    expect([rgba.values[1], rgba.values[2], rgba.values[3]]).toEqual([rgba.values[0], rgba.values[0], 255]);

    const png = await runtime.sample({ n, seed: SEED, format: 'png' });
    if (png.format !== 'png') throw new Error('expected png');
    const image = decode(png.png);
    expect([image.width, image.height]).toEqual([png.width, png.height]);
    // A 2x2 grid of 28x28 images with 2-pixel gaps.
    expect(png.width).toBe(2 * 28 + 3 * 2);
  });

  it('interpolation starts and ends at the samples of its end seeds', async () => {
    await runtime.load(structuredClone(points));
    const path = await runtime.interpolate({ from: 5, to: 6, steps: 5 });
    const start = await runtime.sample({ n: 1, seed: 5 });
    const end = await runtime.sample({ n: 1, seed: 6 });
    if (path.format !== 'float32' || start.format !== 'float32' || end.format !== 'float32')
      throw new Error('expected float32');
    expect(path.shape).toEqual([5, 2]);
    expect(maxAbsDifference(path.values.slice(0, 2), start.values)).toBeLessThan(CROSS_BACKEND_TOLERANCE);
    expect(maxAbsDifference(path.values.slice(8, 10), end.values)).toBeLessThan(CROSS_BACKEND_TOLERANCE);
  });
});

describe('bad requests name the problem', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await createRuntime({ worker: startWorker(), backend: 'cpu' });
    await runtime.load(structuredClone(points));
  });
  afterAll(() => runtime.dispose());

  it.each([
    [{ n: 0, seed: 1 }, /n must be an integer in \[1, 1024\], got 0/],
    [{ n: 2, seed: -1 }, /seed must be an integer in \[0, 2\^32\), got -1/],
    [{ n: 2, seed: 1, truncation: 0 }, /truncation must be a number of at least 0.01/],
    [{ n: 2, seed: 1, format: 'jpeg' as never }, /format must be one of float32, rgba, png, got "jpeg"/],
    [{ n: 2, seed: 1, format: 'rgba' as const }, /needs image samples.*\[2, 2\]/],
  ])('%o', async (request, message) => {
    const err = await runtime.sample(request).catch((e) => e);
    expect(err.message).toMatch(message);
  });

  it('a model whose weights do not fit its architecture: ModelFormatError, naming the weight', async () => {
    const broken = structuredClone(points);
    delete broken.generator['output/bias'];
    const err = await runtime.load(broken).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.code).toBe('missing-weight');
    expect(err.message).toMatch(/output\/bias/);
  });

  it('a model with an unknown architecture: ModelFormatError not-a-model', async () => {
    const err = await runtime.load({ ...structuredClone(points), architecture: { kind: 'resnet' } }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.code).toBe('not-a-model');
    expect(err.message).toMatch(/unknown kind 'resnet'/);
  });
});
