// Training in the worker through the page client: progress, cancel, same seed across backends,
// and a main thread that stays free while the worker works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendName } from '../../src/backend/init';
import { archConfig } from '../../src/models/config';
import { createRuntime, type Runtime } from '../../src/runtime/client';
import { ConfigError } from '../../src/runtime/index';
import type { ModelContents, TrainProgress, TrainRequest, TrainResult } from '../../src/runtime/protocol';
import { ONE_IMAGE_STEP, patternImages } from './toy_models';
import { WASM_FILES } from './wasm_files';
import { startWorker } from './worker_url';

/**
 * A small WGAN-GP toy run: a few seconds on the slowest backend that trains correctly (cpu).
 * Depth 3 gives each net 8 weights, so the gradient norms sum 8 terms in one AddN: as many as
 * tfjs-webgpu's own AddN got wrong on a device that binds 8 storage buffers per stage.
 */
const TOY_RUN: TrainRequest = {
  loss: 'wgan-gp',
  arch: archConfig('mlp', { hidden: 16, depth: 3 }),
  data: { toy: '8gaussians' },
  seed: 9,
  steps: 4,
  batchSize: 32,
  nCritic: 2,
};
/**
 * Same seed, same data, same steps: backends differ only in float32 rounding, which training
 * carries along. Measured here: wasm vs cpu differ by ~1e-6 after 20 steps of a wider net.
 */
const TRAINED_TOLERANCE = 1e-4;
const SAMPLE = { n: 64, seed: 3 };

interface Trained {
  result: TrainResult;
  progress: TrainProgress[];
  samples: Float32Array;
  exported: ModelContents;
}

async function trainAndSample(backend: BackendName): Promise<Trained> {
  const runtime = await createRuntime({ worker: startWorker(), backend, wasmPaths: WASM_FILES });
  try {
    const progress: TrainProgress[] = [];
    const result = await runtime.train(TOY_RUN, { onProgress: (p) => progress.push(p) });
    const samples = await runtime.sample(SAMPLE);
    if (samples.format !== 'float32') throw new Error('expected float32 samples');
    return { result, progress, samples: samples.values, exported: await runtime.exportModel() };
  } finally {
    runtime.dispose();
  }
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((max, v, i) => Math.max(max, Math.abs(v - b[i])), 0);
}

/** A step's metrics: the same run on two backends must agree on them to float32 rounding (relative). */
const METRICS = [
  'criticLoss',
  'wasserstein',
  'penalty',
  'criticGradNorm',
  'generatorLoss',
  'generatorGradNorm',
] as const;
const METRIC_TOLERANCE = 1e-3;

function metricDifferences(a: TrainProgress, b: TrainProgress): Record<string, number> {
  return Object.fromEntries(
    METRICS.filter((m) => !(Math.abs(a[m] - b[m]) <= METRIC_TOLERANCE * (1 + Math.abs(b[m])))).map((m) => [
      m,
      a[m] - b[m],
    ]),
  );
}

describe('training a toy model in the worker', () => {
  const runs = {} as Record<BackendName, Trained>;
  beforeAll(async () => {
    // WebGPU here is SwiftShader: ~2 s per step of this run.
    for (const backend of ['wasm', 'cpu', 'webgpu'] as const) runs[backend] = await trainAndSample(backend);
  });

  it.each(['wasm', 'cpu', 'webgpu'] as const)(
    '%s: completes, reports progress up to the last step, leaves the model loaded',
    (backend) => {
      const { result, progress, samples } = runs[backend];
      expect(result.stopped).toBe('completed');
      expect(result.stepsRun).toBe(TOY_RUN.steps);
      expect(result.model.outputShape).toEqual([2]);
      expect(progress.length).toBeGreaterThanOrEqual(1);
      expect(progress.length).toBeLessThanOrEqual(TOY_RUN.steps);
      expect(progress.at(-1)?.step).toBe(TOY_RUN.steps);
      expect(Number.isFinite(progress.at(-1)?.wasserstein)).toBe(true);
      expect(samples.length).toBe(SAMPLE.n * 2);
    },
  );

  it('same seed: cpu trains to the same samples and reports the same last-step metrics as wasm', () => {
    expect(maxAbsDifference(runs.cpu.samples, runs.wasm.samples)).toBeLessThan(TRAINED_TOLERANCE);
    expect(metricDifferences(runs.cpu.result.last!, runs.wasm.result.last!)).toEqual({});
  });

  // tfjs-webgpu's deferred submission (WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE, default 15) gave wrong
  // gradients here (samples ~0.5 apart after 4 steps); initBackend submits after every dispatch.
  it('same seed: webgpu trains to the same samples as wasm', () => {
    expect(maxAbsDifference(runs.webgpu.samples, runs.wasm.samples)).toBeLessThan(TRAINED_TOLERANCE);
  });

  it('same seed: webgpu reports the same last-step metrics as wasm', () => {
    expect(metricDifferences(runs.webgpu.result.last!, runs.wasm.result.last!)).toEqual({});
  });

  it('the exported model names its run and, loaded into another worker, gives the same samples', async () => {
    const { exported, samples } = runs.wasm;
    expect(exported.provenance).toMatchObject({
      loss: 'wgan-gp',
      seed: TOY_RUN.seed,
      steps: TOY_RUN.steps,
      backend: 'wasm',
    });
    expect(exported.critic).toBeDefined();
    const runtime = await createRuntime({ worker: startWorker(), backend: 'cpu' });
    try {
      await runtime.load(exported);
      const again = await runtime.sample(SAMPLE);
      if (again.format !== 'float32') throw new Error('expected float32 samples');
      expect(maxAbsDifference(again.values, samples)).toBeLessThan(TRAINED_TOLERANCE);
    } finally {
      runtime.dispose();
    }
  });
});

describe('cancelling a run', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await createRuntime({ worker: startWorker(), backend: 'wasm', wasmPaths: WASM_FILES });
  });
  afterAll(() => runtime.dispose());

  it('abort mid-training: stops at the next step, resolves with what it did, keeps that model', async () => {
    const controller = new AbortController();
    const endless = { ...TOY_RUN, steps: 1_000_000 };
    let seen = 0;
    const run = runtime.train(endless, {
      signal: controller.signal,
      onProgress: () => {
        seen++;
        controller.abort();
      },
    });
    const busy = await runtime.load({} as never).catch((e) => e);
    expect(busy.code).toBe('busy');
    const result = await run;
    expect(result.stopped).toBe('aborted');
    expect(result.stepsRun).toBeGreaterThanOrEqual(1);
    expect(result.stepsRun).toBeLessThan(endless.steps);
    expect(seen).toBeGreaterThanOrEqual(1);
    const samples = await runtime.sample({ n: 4, seed: 1 });
    expect(samples.format).toBe('float32');
  });

  it('image data: transferred to the worker (the page array is left empty) and trained on', async () => {
    const images = patternImages(8);
    const result = await runtime.train({
      ...ONE_IMAGE_STEP,
      arch: archConfig('dcgan28', { dim: 2, latentDim: 4 }),
      data: { images },
    });
    expect(images.data.length).toBe(0);
    expect(result.stopped).toBe('completed');
    expect(Number.isFinite(result.last?.criticLoss)).toBe(true);
    const image = await runtime.sample({ n: 1, seed: 1, format: 'rgba' });
    expect(image.format === 'rgba' && image.shape).toEqual([1, 28, 28, 4]);
  });

  it('an already aborted signal: no step is run', async () => {
    const result = await runtime.train(TOY_RUN, { signal: AbortSignal.abort() });
    expect(result.stopped).toBe('aborted');
    expect(result.stepsRun).toBe(0);
  });
});

describe('a bad train request', () => {
  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await createRuntime({ worker: startWorker(), backend: 'cpu' });
  });
  afterAll(() => runtime.dispose());

  it.each([
    [{ ...TOY_RUN, nCritic: 0 }, 'bad-settings', /nCritic must be a positive integer, got 0/],
    [{ ...TOY_RUN, arch: { ...TOY_RUN.arch!, hidden: -1 } }, 'bad-arch', /hidden must be a positive integer, got -1/],
    [{ ...TOY_RUN, loss: 'lsgan' as never }, 'unknown-loss', /unknown loss 'lsgan'/],
    [{ ...TOY_RUN, data: { toy: 'moons' as never } }, 'bad-data', /unknown toy data set 'moons'/],
    [{ ...TOY_RUN, seed: 2 ** 32 }, 'bad-seed', /seed must be an integer in \[0, 2\^32\)/],
  ] as const)('reaches the page as a ConfigError: %o -> %s', async (request, code, message) => {
    const error = await runtime.train(request as TrainRequest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ name: 'ConfigError', code, message: expect.stringMatching(message) });
  });
});
