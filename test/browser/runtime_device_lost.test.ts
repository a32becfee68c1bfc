// A lost WebGPU device under the runtime: the worker's RuntimeHost, driven on the page (same
// code, and the page can reach the device), on the SwiftShader adapter. The device is destroyed
// from a progress callback mid-run, or while the runtime is idle.
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackendName } from '../../src/backend/init';
import { archConfig } from '../../src/models/config';
import { RuntimeHost } from '../../src/runtime/host';
import type { ModelContents, TrainProgress, TrainRequest, TrainResult } from '../../src/runtime/protocol';
import { WASM_FILES } from './wasm_files';

/** runtime_training's toy run, 12 steps: on SwiftShader ~1-2 s a step. */
const RUN: TrainRequest = {
  loss: 'wgan-gp',
  arch: archConfig('mlp', { hidden: 16, depth: 2 }),
  data: { toy: '8gaussians' },
  seed: 9,
  steps: 12,
  batchSize: 32,
  nCritic: 2,
};
const LOSE_AT_STEP = 5;
const SAMPLE = { n: 64, seed: 3 };
/** A run that moved from webgpu to wasm vs one all on wasm: webgpu steps equal wasm's to ~1e-6. */
const TRAINED_TOLERANCE = 1e-4;
/** The same weights sampled on webgpu and on wasm: float32 rounding of one forward pass. */
const SAME_WEIGHTS_TOLERANCE = 1e-5;
/** Far more than the ~30 s the run takes here: a hang fails the test instead of stalling the suite. */
const RUN_TIMEOUT_MS = 300_000;

function destroyDevice(): void {
  (tf.backend() as WebGPUBackend).device.destroy();
}

/** Destroys the device as the first GPU read after `armed()` turns true starts; returns the undo. */
function destroyDeviceOnRead(armed: () => boolean): () => void {
  const mapAsync = GPUBuffer.prototype.mapAsync;
  let destroyed = false;
  GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) {
    if (!destroyed && armed()) {
      destroyed = true;
      destroyDevice();
    }
    return mapAsync.apply(this, args);
  };
  return () => {
    GPUBuffer.prototype.mapAsync = mapAsync;
  };
}

async function startHost(backend: BackendName): Promise<RuntimeHost> {
  const host = new RuntimeHost();
  // wasmPaths: where the fallback finds the .wasm files, as createRuntime would pass them.
  const report = await host.init({ backend, wasmPaths: WASM_FILES });
  expect(report.backend).toBe(backend);
  return host;
}

async function samples(host: RuntimeHost): Promise<Float32Array> {
  const result = await host.sample(SAMPLE);
  if (result.format !== 'float32') throw new Error('expected float32 samples');
  return result.values;
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((max, v, i) => Math.max(max, Math.abs(v - b[i])), 0);
}

function expectMovedToWasm(host: RuntimeHost): void {
  const info = host.info();
  expect(info.backend).toBe('wasm');
  expect(info.requested).toBe('webgpu');
  expect(info.reason).toMatch(/WebGPU device was lost \(destroyed/);
  expect(info.passedOver[0]).toMatchObject({ backend: 'webgpu', reason: expect.stringMatching(/device was lost/) });
  expect(tf.getBackend()).toBe('wasm');
}

/** Fine-tuning RUN's model on other data: its step count goes on from RUN.steps. */
const TUNE: TrainRequest = {
  ...RUN,
  arch: undefined,
  data: { toy: '25gaussians' },
  seed: 2,
  steps: 4,
  fromLoadedModel: true,
};

describe('a lost WebGPU device', () => {
  let wasmRun: { result: TrainResult; samples: Float32Array; exported: ModelContents };
  let wasmTuned: Float32Array;
  beforeAll(async () => {
    const host = await startHost('wasm');
    const result = await host.train(RUN, 1);
    wasmRun = { result, samples: await samples(host), exported: await host.exportModel() };
    await host.train(TUNE, 2);
    wasmTuned = await samples(host);
    host.unload();
  });

  it(
    `mid-run (after step ${LOSE_AT_STEP} of ${RUN.steps}): the run moves to wasm, goes on from that step, and trains what a wasm run trains`,
    async () => {
      const host = await startHost('webgpu');
      let lostAt: number | null = null;
      const progress: TrainProgress[] = [];
      const started = performance.now();
      const result = await host.train(RUN, 1, (p) => {
        progress.push(p);
        if (lostAt == null && p.step >= LOSE_AT_STEP) {
          lostAt = p.step;
          destroyDevice();
        }
      });
      const trained = await samples(host);
      const difference = maxAbsDifference(trained, wasmRun.samples);
      console.log(
        `device destroyed after step ${lostAt}; fallbacks ${JSON.stringify(result.fallbacks)}; ` +
          `${(performance.now() - started).toFixed(0)} ms; samples vs the all-wasm run: max |diff| ${difference.toExponential(2)}`,
      );
      expect(lostAt).not.toBeNull();
      expect(result).toMatchObject({ stopped: 'completed', stepsRun: RUN.steps, step: RUN.steps });
      // The state after the step the page last saw is kept before the page hears of it.
      expect(result.fallbacks).toEqual([
        { from: 'webgpu', to: 'wasm', atStep: lostAt, reason: expect.stringMatching(/^destroyed: /) },
      ]);
      expect(progress.at(-1)?.step).toBe(RUN.steps);
      expect(result.last?.step).toBe(RUN.steps);
      expectMovedToWasm(host);
      expect(difference).toBeLessThan(TRAINED_TOLERANCE);
      // The moved model exports and samples like any other.
      const exported = await host.exportModel();
      expect(exported.provenance).toMatchObject({ steps: RUN.steps, backend: 'wasm' });
      const path = await host.interpolate({ from: 1, to: 2, steps: 4 });
      expect(path.format === 'float32' && path.shape).toEqual([4, 2]);
      host.unload();
    },
    RUN_TIMEOUT_MS,
  );

  it(
    `mid-step (a step's read in flight): the failed step is dropped and the run goes on from step ${LOSE_AT_STEP} on wasm`,
    async () => {
      const host = await startHost('webgpu');
      // The next GPU read after step LOSE_AT_STEP (step LOSE_AT_STEP + 1's readback) loses the device first.
      let lostAt: number | null = null;
      const restore = destroyDeviceOnRead(() => lostAt != null);
      try {
        const result = await host.train(RUN, 1, (p) => {
          if (lostAt == null && p.step >= LOSE_AT_STEP) lostAt = p.step;
        });
        const difference = maxAbsDifference(await samples(host), wasmRun.samples);
        console.log(
          `device destroyed in the read of step ${lostAt! + 1}; fallbacks ${JSON.stringify(result.fallbacks)}; max |diff| vs all-wasm ${difference.toExponential(2)}`,
        );
        expect(result).toMatchObject({ stopped: 'completed', stepsRun: RUN.steps, step: RUN.steps });
        expect(result.fallbacks).toEqual([
          { from: 'webgpu', to: 'wasm', atStep: lostAt, reason: expect.stringMatching(/^destroyed: /) },
        ]);
        expectMovedToWasm(host);
        expect(difference).toBeLessThan(TRAINED_TOLERANCE);
      } finally {
        restore();
        host.unload();
      }
    },
    RUN_TIMEOUT_MS,
  );

  it(
    `an error the device reports mid-run (after step ${LOSE_AT_STEP}), which tfjs leaves uncaptured, counts as a loss: the run moves to wasm and trains what a wasm run trains`,
    async () => {
      const host = await startHost('webgpu');
      let erredAt: number | null = null;
      const result = await host.train(RUN, 1, (p) => {
        if (erredAt == null && p.step >= LOSE_AT_STEP) {
          erredAt = p.step;
          // A validation error nobody captures, as a tfjs kernel's invalid pipeline gives: a buffer needs a usage.
          (tf.backend() as WebGPUBackend).device.createBuffer({ size: 4, usage: 0 });
        }
      });
      const difference = maxAbsDifference(await samples(host), wasmRun.samples);
      console.log(
        `validation error after step ${erredAt}; fallbacks ${JSON.stringify(result.fallbacks)}; max |diff| vs all-wasm ${difference.toExponential(2)}`,
      );
      expect(result).toMatchObject({ stopped: 'completed', stepsRun: RUN.steps, step: RUN.steps });
      expect(result.fallbacks).toHaveLength(1);
      const [fallback] = result.fallbacks;
      expect(fallback).toMatchObject({
        from: 'webgpu',
        to: 'wasm',
        reason: expect.stringMatching(/^destroyed after an error it reported: .*usage/i),
      });
      // The error reaches the page a moment after the call that made it: the run goes on from that step or the next.
      expect(fallback.atStep).toBeGreaterThanOrEqual(erredAt!);
      expect(fallback.atStep).toBeLessThanOrEqual(erredAt! + 1);
      expectMovedToWasm(host);
      expect(difference).toBeLessThan(TRAINED_TOLERANCE);
      host.unload();
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'a fine-tuning run lost mid-run goes on from its own last step on wasm and trains what a wasm fine-tuning run trains',
    async () => {
      const host = await startHost('webgpu');
      await host.load(structuredClone(wasmRun.exported));
      const loseAt = RUN.steps + 2;
      let lostAt: number | null = null;
      const result = await host.train(TUNE, 1, (p) => {
        if (lostAt == null && p.step >= loseAt) {
          lostAt = p.step;
          destroyDevice();
        }
      });
      const difference = maxAbsDifference(await samples(host), wasmTuned);
      console.log(
        `fine-tuning: device destroyed after step ${lostAt}; fallbacks ${JSON.stringify(result.fallbacks)}; max |diff| vs all-wasm ${difference.toExponential(2)}`,
      );
      expect(result).toMatchObject({ stopped: 'completed', stepsRun: TUNE.steps, step: RUN.steps + TUNE.steps });
      expect(result.fallbacks).toEqual([
        { from: 'webgpu', to: 'wasm', atStep: lostAt, reason: expect.stringMatching(/^destroyed: /) },
      ]);
      expectMovedToWasm(host);
      expect(difference).toBeLessThan(TRAINED_TOLERANCE);
      host.unload();
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'a fine-tuning run whose device is lost in its start (the read of the new trainer) starts again on wasm from the loaded model',
    async () => {
      const host = await startHost('webgpu');
      await host.load(structuredClone(wasmRun.exported));
      // The start's read of the trainer is the first GPU read of the call: it loses the device first.
      const restore = destroyDeviceOnRead(() => true);
      try {
        const result = await host.train(TUNE, 1);
        const difference = maxAbsDifference(await samples(host), wasmTuned);
        console.log(
          `fine-tuning: device destroyed in the start's read; fallbacks ${JSON.stringify(result.fallbacks)}; max |diff| vs all-wasm ${difference.toExponential(2)}`,
        );
        expect(result).toMatchObject({ stopped: 'completed', stepsRun: TUNE.steps, step: RUN.steps + TUNE.steps });
        expect(result.fallbacks).toEqual([
          { from: 'webgpu', to: 'wasm', atStep: null, reason: expect.stringMatching(/^destroyed: /) },
        ]);
        expectMovedToWasm(host);
        expect(difference).toBeLessThan(TRAINED_TOLERANCE);
      } finally {
        restore();
        host.unload();
      }
    },
    RUN_TIMEOUT_MS,
  );

  it('while idle after load(): the next sample() runs on wasm and gives the same samples', async () => {
    const host = await startHost('webgpu');
    await host.load(structuredClone(wasmRun.exported));
    const before = await samples(host);
    expect(maxAbsDifference(before, wasmRun.samples)).toBeLessThan(SAME_WEIGHTS_TOLERANCE);
    destroyDevice();
    const after = await samples(host);
    expectMovedToWasm(host);
    expect(maxAbsDifference(after, before)).toBeLessThan(SAME_WEIGHTS_TOLERANCE);
    host.unload();
  });

  it(
    'while idle after train(): the trained model is rebuilt on wasm from its final state',
    async () => {
      const host = await startHost('webgpu');
      const result = await host.train({ ...RUN, steps: 3 }, 1);
      expect(result.fallbacks).toEqual([]);
      const before = await samples(host);
      destroyDevice();
      const after = await samples(host);
      expectMovedToWasm(host);
      expect(maxAbsDifference(after, before)).toBeLessThan(SAME_WEIGHTS_TOLERANCE);
      const exported = await host.exportModel();
      expect(exported.provenance).toMatchObject({ steps: 3, backend: 'wasm' });
      host.unload();
    },
    RUN_TIMEOUT_MS,
  );
});
