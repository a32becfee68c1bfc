/**
 * Trains on the 2-D toy sets and reports modes covered, high-quality share and W1 against
 * wall time. Defaults: every loss on every toy set with defaultsFor(loss, 'mlp') on WASM.
 *   npx vitest run --config scripts/vitest.config.ts scripts/toy_runs.script.ts
 * Environment: LOSSES=wgan-gp,gan  DATA=8gaussians  SECONDS=300  EVAL_EVERY=50  BACKEND=wasm
 *   SETTINGS='{"learningRate":1e-3}'  ARCH='{"hidden":256}'  SEED=1  MAX_STEPS=1000
 *   PLOTS=/tmp/folder (a scatter PNG per evaluation)
 * Prints one JSON line per evaluation and a summary table.
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
// The library as shipped: the gradient layer and the added WASM kernels.
import '../src/index';
import { initBackend, type BackendName } from '../src/backend/init';
import { TOY_NAMES, toyDataset, toyMixture, type ToyName } from '../src/data/toy';
import { LOSS_NAMES, type LossName } from '../src/losses/settings';
import { generatorModeCoverage } from '../src/metrics/modes';
import { generatorW1 } from '../src/metrics/wasserstein';
import { archConfig } from '../src/models/config';
import { latents } from '../src/sample/latents';
import { encodePng } from '../src/sample/png';
import { Trainer } from '../src/train/trainer';
import { Rng } from '../src/utils/rng';
import { scatterPlot } from '../src/viz/plot';

const env = process.env;
const losses = (env.LOSSES?.split(',') ?? LOSS_NAMES) as LossName[];
const sets = (env.DATA?.split(',') ?? TOY_NAMES) as ToyName[];
const seconds = Number(env.SECONDS ?? 300);
const evalEvery = Number(env.EVAL_EVERY ?? 50);
const maxSteps = Number(env.MAX_STEPS ?? 1e9);
const settings = JSON.parse(env.SETTINGS ?? '{}');
const arch = archConfig('mlp', JSON.parse(env.ARCH ?? '{}'));
const seed = Number(env.SEED ?? 1);
const EVAL_SAMPLES = 2500;
const W1_SAMPLES = 512;

it('toy runs', async () => {
  await initBackend({ backend: (env.BACKEND ?? 'wasm') as BackendName });
  const summary: string[] = [];
  for (const data of sets) {
    for (const loss of losses) {
      const trainer = new Trainer({ loss, arch, data: toyDataset(data), seed, ...settings });
      const started = performance.now();
      let trainMs = 0;
      let line = '';
      while (trainMs < seconds * 1000 && trainer.step < maxSteps) {
        const t0 = performance.now();
        const result = await trainer.run({ steps: Math.min(evalEvery, maxSteps - trainer.step) });
        trainMs += performance.now() - t0;
        const sampler = trainer.emaGenerator ?? trainer.generator;
        const w1 = await generatorW1(sampler, toyDataset(data), W1_SAMPLES, 7);
        const modes =
          data === 'swissroll' ? null : await generatorModeCoverage(sampler, toyMixture(data), EVAL_SAMPLES, 7);
        const report = {
          data,
          loss,
          step: trainer.step,
          trainSeconds: +(trainMs / 1000).toFixed(1),
          modes: modes?.modesCovered,
          highQuality: modes ? +modes.highQualityShare.toFixed(3) : undefined,
          w1: +w1.toFixed(4),
          wasserstein: +result.last!.wasserstein.toFixed(4),
        };
        console.log(JSON.stringify(report));
        if (env.PLOTS) {
          const points = tf.tidy(() => sampler.apply(sampler.params, latents(1000, arch.latentDim, 5)));
          const reference = toyDataset(data).next(1000, new Rng(5));
          const raster = scatterPlot((await points.data()) as Float32Array, {
            extent: 2.2,
            reference: (await reference.data()) as Float32Array,
          });
          writeFileSync(`${env.PLOTS}/${data}-${loss}-${trainer.step}.png`, encodePng(raster));
          tf.dispose([points, reference]);
        }
        line = `${data.padEnd(12)} ${loss.padEnd(8)} step ${String(report.step).padStart(5)} ${String(report.trainSeconds).padStart(6)} s  modes ${report.modes ?? '-'}  hq ${report.highQuality ?? '-'}  W1 ${report.w1}`;
      }
      summary.push(`${line}  (wall ${((performance.now() - started) / 1000).toFixed(0)} s)`);
      trainer.dispose();
    }
  }
  console.log(`settings ${JSON.stringify(settings)} arch ${JSON.stringify(arch)}\n${summary.join('\n')}`);
});
