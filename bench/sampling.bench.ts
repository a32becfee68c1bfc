/**
 * Sampling from a dcgan28 model folder (the shipped mnist, DIM 32, or DIM 64 weights when it is
 * missing; the entries name the width): images/s at batch 1, 16 and 64 per backend,
 * and cold start, from the folder on disk to the first 16 images read back: in this process
 * (backend ready) and as a fresh `wgan-edge sample` process (Node start, bundle, WASM init).
 * Uses the shipped models/mnist when it exists, else freshly initialised weights saved with
 * saveModelDir: the time does not depend on the weights' values.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '../src/index';
import { generatorFromModel } from '../src/io/networks';
import { loadModelDir, saveModelDir } from '../src/io/node_files';
import { createCritic, createGenerator } from '../src/models';
import { archConfig } from '../src/models/config';
import type { Network } from '../src/models/network';
import { disposeParams, readParams } from '../src/nn/params';
import { latents } from '../src/sample/latents';
import { AUTHORS_DIM } from './gan_iteration';
import { rateEntry, saveSuite, type BenchEntry, type RunCounts, timeRuns } from './harness';

const SUITE = 'sampling';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHIPPED_MODEL = join(ROOT, 'models', 'mnist');
const CLI = join(ROOT, 'dist', 'cli.cjs');
const BATCHES = [1, 16, 64];
const COLD_START_IMAGES = 16;
const LATENT_SEED = 7;
/** The CPU backend needs ~0.1 s an image: fewer runs. */
const COUNTS: Record<string, RunCounts> = { wasm: { warmup: 2, runs: 7 }, cpu: { warmup: 1, runs: 3 } };
const PROCESS_COUNTS: RunCounts = { warmup: 1, runs: 3 };

/** Draws n images and waits for their values, as a page or the CLI would. */
async function sampleImages(generator: Network, n: number): Promise<void> {
  const images = tf.tidy(() => generator.apply(generator.params, latents(n, generator.config.latentDim, LATENT_SEED)));
  await images.data();
  images.dispose();
}

/** The folder to sample from: the shipped model, or a fresh DIM 64 pair written to a temporary folder. */
async function modelFolder(): Promise<{ dir: string; source: string; cleanUp: () => void }> {
  if (existsSync(join(SHIPPED_MODEL, 'model.json'))) return { dir: SHIPPED_MODEL, source: 'models/mnist', cleanUp: () => {} };
  const parent = mkdtempSync(join(tmpdir(), 'wgan-bench-model-'));
  const dir = join(parent, 'dcgan28');
  const arch = archConfig('dcgan28', { dim: AUTHORS_DIM });
  const [generator, critic] = [createGenerator(arch, 1), createCritic(arch, 2)];
  await saveModelDir(dir, {
    architecture: { ...arch },
    latentDim: arch.latentDim,
    outputShape: arch.outputShape,
    outputRange: [0, 1],
    provenance: { note: 'freshly initialised weights for the sampling bench' },
    generator: await readParams(generator.params),
    critic: await readParams(critic.params),
  });
  disposeParams(generator.params);
  disposeParams(critic.params);
  return { dir, source: `fresh dcgan28 DIM ${AUTHORS_DIM} weights`, cleanUp: () => rmSync(parent, { recursive: true, force: true }) };
}

it('sampling throughput and cold start', async () => {
  await tf.setBackend('wasm');
  const tensorsBefore = tf.memory().numTensors;
  const { dir, source, cleanUp } = await modelFolder();
  const entries: BenchEntry[] = [];
  try {
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const counts = COUNTS[backend];
      const generator = generatorFromModel(await loadModelDir(dir), dir);
      const coldStart = async () => {
        const loaded = generatorFromModel(await loadModelDir(dir), dir);
        await sampleImages(loaded, COLD_START_IMAGES);
        disposeParams(loaded.params);
      };
      const cases = [...BATCHES.map((n) => ({ counts, once: () => sampleImages(generator, n) })), { counts, once: coldStart }];
      const times = await timeRuns(cases);
      disposeParams(generator.params);
      BATCHES.forEach((n, i) => {
        const name = `sample ${generator.config.kind} DIM ${(generator.config as { dim: number }).dim}, batch ${n}`;
        entries.push(rateEntry({ suite: SUITE, name, backend, unit: 'images/s', detail: { batch: n, model: source } }, n, times[i]));
      });
      entries.push(rateEntry(
        { suite: SUITE, name: `cold start in process: load folder, first ${COLD_START_IMAGES} images`, backend, unit: 'starts/s', detail: { images: COLD_START_IMAGES, model: source, backendReady: true } },
        1,
        times[BATCHES.length],
      ));
    }
    entries.push(...(await cliColdStart(dir, source)));
  } finally {
    cleanUp();
  }
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  saveSuite(SUITE, entries);
});

/** A fresh `wgan-edge sample` process per run (the built CLI; skipped with a warning before `npm run build`). */
async function cliColdStart(dir: string, source: string): Promise<BenchEntry[]> {
  if (!existsSync(CLI)) {
    console.warn(`bench sampling: ${CLI} is missing (npm run build); the CLI cold start is skipped.`);
    return [];
  }
  const outDir = mkdtempSync(join(tmpdir(), 'wgan-bench-sample-'));
  const args = [CLI, 'sample', '--model', dir, '--n', String(COLD_START_IMAGES), '--backend', 'wasm', '--out', join(outDir, 'samples.npy')];
  try {
    const [times] = await timeRuns([{ counts: PROCESS_COUNTS, once: async () => void execFileSync(process.execPath, args, { stdio: 'ignore' }) }]);
    return [rateEntry(
      { suite: SUITE, name: `cold start, new process: wgan-edge sample --n ${COLD_START_IMAGES} (Node, bundle, WASM init, load, PNG-free .npy)`, backend: 'wasm', unit: 'starts/s', detail: { images: COLD_START_IMAGES, model: source, command: 'node dist/cli.cjs sample' } },
      1,
      times,
    )];
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
