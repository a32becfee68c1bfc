// The worker side of the runtime without a worker: RuntimeHost called directly, on cpu.
import * as tf from '@tensorflow/tfjs-core';
import { encode as encodePng } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { toyDataset } from '../../src/data/toy';
import { fineTune, PREVIEW, type FineTunePreview, type FineTuneProgress } from '../../src/io/finetune';
import { startFromModel } from '../../src/io/networks';
import { archConfig } from '../../src/models/config';
import { RuntimeError } from '../../src/runtime/errors';
import { RuntimeHost } from '../../src/runtime/host';
import type { ModelContents, TrainProgress, TrainRequest } from '../../src/runtime/protocol';
import { Trainer } from '../../src/train/trainer';

const RUN: TrainRequest = {
  loss: 'wgan-gp',
  arch: archConfig('mlp', { hidden: 8, depth: 1 }),
  data: { toy: '8gaussians' },
  seed: 4,
  steps: 3,
  batchSize: 16,
  nCritic: 1,
};

let host: RuntimeHost;
beforeAll(async () => {
  host = new RuntimeHost();
  await host.init({ backend: 'cpu' });
});

describe('RuntimeHost', () => {
  it('refuses calls before init, naming what to do', () => {
    const fresh = new RuntimeHost();
    expect(() => fresh.info()).toThrow(RuntimeError);
    expect(() => fresh.info()).toThrow(/call init, then load a model/);
  });

  it('train, sample, interpolate, export, reload and unload leave no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const progress: TrainProgress[] = [];
    const result = await host.train(RUN, 1, (p) => progress.push(p));
    expect(result.stopped).toBe('completed');
    expect(progress.at(-1)?.step).toBe(RUN.steps);
    const first = await host.sample({ n: 5, seed: 2, truncation: 1 });
    await host.interpolate({ from: 1, to: 2, steps: 3 });
    const exported: ModelContents = await host.exportModel();
    await host.load(exported);
    const again = await host.sample({ n: 5, seed: 2, truncation: 1 });
    expect(again).toEqual(first);
    host.unload();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('calls run in call order: a sample or export asked before a load sees the model loaded when asked', async () => {
    await host.train(RUN, 10);
    const first = await host.exportModel();
    await host.train({ ...RUN, seed: 5 }, 11);
    const second = await host.exportModel();
    await host.load(first);
    const firstSamples = await host.sample({ n: 5, seed: 2 });
    const firstPath = await host.interpolate({ from: 1, to: 2, steps: 3 });
    const [samples, path, exported] = await Promise.all([
      host.sample({ n: 5, seed: 2 }),
      host.interpolate({ from: 1, to: 2, steps: 3 }),
      host.exportModel(),
      host.load(second),
    ]);
    expect(samples).toEqual(firstSamples);
    expect(path).toEqual(firstPath);
    expect(exported.generator).toEqual(first.generator);
    expect(await host.sample({ n: 5, seed: 2 })).not.toEqual(firstSamples);
    host.unload();
  });

  it('cancel(runId) stops a run between steps; it resolves with the steps done', async () => {
    const runId = 7;
    const run = host.train({ ...RUN, steps: 1000 }, runId, () => host.cancel(runId));
    await expect(Promise.resolve().then(() => host.load({} as never))).rejects.toMatchObject({ code: 'busy' });
    const result = await run;
    expect(result.stopped).toBe('aborted');
    expect(result.stepsRun).toBe(1);
    host.unload();
  });

  it('an export during training holds one step: its generator, critic and step count agree', async () => {
    const run: TrainRequest = { ...RUN, steps: 12, nCritic: 2, emaDecay: 0.9 };
    // What each step leaves, from runs that stop there (training is deterministic on cpu).
    const atStep: ModelContents[] = [];
    for (let steps = 1; steps <= run.steps; steps++) {
      await host.train({ ...run, steps }, 20 + steps);
      atStep[steps] = await host.exportModel();
    }
    const exports: Promise<ModelContents>[] = [];
    let training = true;
    const exportEachTick = () => {
      if (!training) return;
      exports.push(host.exportModel());
      setTimeout(exportEachTick, 0);
    };
    // As on WebGPU: a read takes the values when asked but hands them over a task later, so other
    // calls (here, the next export) run while one waits.
    const backend = tf.backend();
    const read = backend.read;
    backend.read = async function (dataId) {
      const values = this.readSync(dataId);
      await new Promise((resolve) => setTimeout(resolve, 0));
      return values;
    };
    try {
      const done = host.train(run, 40).finally(() => (training = false));
      exportEachTick();
      await done;
    } finally {
      backend.read = read;
    }
    const seen = await Promise.all(exports);
    const steps = seen.map((m) => m.provenance.steps ?? NaN);
    expect(new Set(steps).size).toBeGreaterThan(3);
    seen.forEach((model, i) => {
      const step = steps[i];
      expect(atStep[step], `export ${i} names step ${step}`).toBeDefined();
      expect({ step, generator: model.generator, critic: model.critic }).toEqual({
        step,
        generator: atStep[step].generator,
        critic: atStep[step].critic,
      });
    });
    host.unload();
  });

  it('a bad training request names the field', async () => {
    await expect(host.train({ ...RUN, data: { toy: 'moons' as never } }, 8)).rejects.toThrow(
      /unknown toy data set 'moons'/,
    );
    await expect(host.train({ ...RUN, data: {} as never }, 9)).rejects.toThrow(
      /data must be \{ toy: name \} or \{ images/,
    );
  });

  describe('fine-tuning (fromLoadedModel)', () => {
    const TUNE: TrainRequest = {
      ...RUN,
      arch: undefined,
      data: { toy: '25gaussians' },
      seed: 6,
      steps: 4,
      emaDecay: 0.9,
      fromLoadedModel: true,
    };
    let base: ModelContents;
    beforeAll(async () => {
      await host.train({ ...RUN, emaDecay: 0.9 }, 30);
      base = await host.exportModel();
      host.unload();
    });

    it('starts from the loaded model: 0 steps keep its networks bit for bit, and the step count goes on', async () => {
      await host.load(base);
      const result = await host.train({ ...TUNE, steps: 0 }, 31);
      expect(result).toMatchObject({ stopped: 'completed', stepsRun: 0, step: RUN.steps });
      const kept = await host.exportModel();
      expect({ generator: kept.generator, critic: kept.critic }).toEqual({
        generator: base.generator,
        critic: base.critic,
      });
      host.unload();
    });

    it("trains what a Trainer started by startFromModel trains (the CLI's --init), from a loaded or a just-trained model", async () => {
      const { data, steps, fromLoadedModel, ...config } = TUNE;
      const trainer = new Trainer({ ...config, arch: RUN.arch!, data: toyDataset('25gaussians') });
      await startFromModel(trainer, structuredClone(base), 'base');
      await trainer.run({ steps });
      const { generator, critic } = await trainer.readWeights();
      trainer.dispose();

      await host.load(base);
      const loaded = await host.train(TUNE, 32);
      expect(loaded).toMatchObject({ stopped: 'completed', stepsRun: TUNE.steps, step: RUN.steps + TUNE.steps });
      const tuned = await host.exportModel();
      expect(tuned.provenance.steps).toBe(RUN.steps + TUNE.steps);
      expect({ generator: tuned.generator, critic: tuned.critic }).toEqual({ generator, critic });

      // The same run, started from the run that made `base` rather than from base loaded.
      await host.train({ ...RUN, emaDecay: 0.9 }, 33);
      await host.train(TUNE, 34);
      const again = await host.exportModel();
      expect({ generator: again.generator, critic: again.critic }).toEqual({ generator, critic });
      host.unload();
    });

    it('leaves no tensor behind', async () => {
      const before = tf.memory().numTensors;
      await host.load(base);
      await host.train(TUNE, 35);
      await host.train(TUNE, 36);
      host.unload();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('a model it cannot start from is refused, naming why, and stays loaded', async () => {
      await expect(host.train(TUNE, 37)).rejects.toMatchObject({
        code: 'no-model',
        message: expect.stringMatching(/no model is loaded/),
      });
      await host.load(base);
      const samples = await host.sample({ n: 5, seed: 2 });
      const wider = archConfig('mlp', { hidden: 16, depth: 1 });
      await expect(host.train({ ...TUNE, arch: wider }, 38)).rejects.toThrow(
        /the loaded model: its networks are .*"hidden":8.*; this run trains .*"hidden":16/,
      );
      await expect(host.train({ ...TUNE, loss: 'wgan-c' }, 39)).rejects.toThrow(
        /a wgan-c run trains a mixture of critics/,
      );
      await host.load({ ...base, critic: undefined });
      await expect(host.train(TUNE, 40)).rejects.toThrow(/the loaded model: the model has no critic/);
      await host.load(base);
      expect(await host.sample({ n: 5, seed: 2 })).toEqual(samples);
      await expect(host.train({ ...RUN, arch: undefined }, 41)).rejects.toMatchObject({
        code: 'bad-request',
        message: expect.stringMatching(/arch is required/),
      });
      host.unload();
    });
  });

  describe('few-shot fineTune', () => {
    const arch = archConfig('dcgan28', { dim: 2, latentDim: 12, latentComponents: 3 });
    /** Five grey images with a bright bar: what the tiny model is tuned on. */
    const images = () => {
      const data = new Uint8Array(5 * 784).fill(80);
      for (let i = 0; i < 5; i++) for (let j = 4; j < 24; j++) data[i * 784 + (6 + i) * 28 + j] = 230;
      return { data, shape: [5, 28, 28, 1] as [number, number, number, number] };
    };
    let base: ModelContents;
    beforeAll(async () => {
      await host.train(
        { loss: 'wgan-gp', arch, data: { images: images() }, seed: 2, steps: 1, batchSize: 4, nCritic: 1 },
        50,
      );
      base = await host.exportModel();
      host.unload();
    });

    it('tunes the loaded model as the library fineTune does, keeps its anchors, and leaves no tensor behind', async () => {
      const want = await fineTune(structuredClone(base), images(), { steps: 2, seed: 1 });
      const before = tf.memory().numTensors;
      await host.load(base);
      const progress: TrainProgress[] = [];
      const result = await host.fineTune({ images: images(), steps: 2, seed: 1 }, 51, (p) => progress.push(p));
      expect(result).toMatchObject({ stopped: 'completed', stepsRun: 2, step: 3, components: want.choice!.allowed });
      expect(progress.at(-1)?.step).toBe(3);
      const tuned = await host.exportModel();
      expect(tuned.architecture.latentAnchors).toEqual(want.model.architecture.latentAnchors);
      expect(tuned.provenance).toMatchObject({
        steps: 3,
        seed: 1,
        fineTune: { images: 5, steps: 2, components: want.choice!.allowed },
      });
      expect({ generator: tuned.generator, critic: tuned.critic }).toEqual({
        generator: want.model.generator,
        critic: want.model.critic,
      });
      // Cancelled before its first step: the model as chosen, no step taken.
      await host.load(base);
      expect(await host.fineTune({ images: images(), steps: 2 }, 52, undefined, true)).toMatchObject({
        stopped: 'aborted',
        stepsRun: 0,
      });
      host.unload();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('refuses one image or a model without its critic with bad-request, naming why', async () => {
      await host.load(base);
      const one = { data: images().data.subarray(0, 784), shape: [1, 28, 28, 1] as [number, number, number, number] };
      await expect(host.fineTune({ images: one }, 53)).rejects.toMatchObject({
        code: 'bad-request',
        message: expect.stringMatching(/1 image; a fine-tune needs at least 2/),
      });
      await host.load({ ...base, critic: undefined });
      await expect(host.fineTune({ images: images() }, 54)).rejects.toThrow(/no critic/);
      await host.load(base);
      await expect(host.fineTune({ images: images(), label: 7 }, 55)).rejects.toMatchObject({
        code: 'bad-request',
        reason: 'not-conditional',
        message: expect.stringMatching(/^fineTune: the loaded model is not conditional/),
      });
      await expect(host.fineTune({ images: [images().data, 'x'] as never }, 56)).rejects.toMatchObject({
        code: 'bad-request',
        reason: 'not-an-image',
        message: expect.stringMatching(/image 0: not a PNG or JPEG file/),
      });
      host.unload();
    });

    it('takes PNG bytes, and sends previews (start, end) and progress with an ETA, as the library does', async () => {
      const { data } = images();
      const pngs = Array.from({ length: 5 }, (_, i) =>
        encodePng({ width: 28, height: 28, channels: 1, data: data.subarray(i * 784, (i + 1) * 784) }),
      );
      const want = await fineTune(structuredClone(base), images(), { steps: 2, seed: 1 });
      await host.load(base);
      const progress: FineTuneProgress[] = [];
      const previews: FineTunePreview[] = [];
      // Previews far apart: only the start's and the end's, however slow the machine.
      const result = await host.fineTune(
        { images: pngs, steps: 2, seed: 1, previewEveryMs: 1e9 },
        57,
        (p) => progress.push(p),
        false,
        (p) => previews.push(p),
      );
      expect(result).toMatchObject({ stopped: 'completed', stepsRun: 2, components: want.choice!.allowed });
      expect((await host.exportModel()).generator).toEqual(want.model.generator);
      expect(progress.at(-1)).toMatchObject({ step: 3, etaSeconds: 0 });
      expect(progress.at(-1)!.seconds).toBeGreaterThan(0);
      expect(previews.map((p) => p.step)).toEqual([1, 3]);
      const last = await host.sample({ n: PREVIEW.side ** 2, seed: PREVIEW.seed, format: 'rgba' });
      if (last.format !== 'rgba') throw new Error('expected rgba');
      const corner = (PREVIEW.gap * previews[1].width + PREVIEW.gap) * 4;
      expect(Array.from(previews[1].rgba.subarray(corner, corner + 4))).toEqual(Array.from(last.values.subarray(0, 4)));
      host.unload();
    });
  });
});
