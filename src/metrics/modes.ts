/**
 * Mode coverage and sample quality on the 2-D Gaussian mixtures, as in the unrolled-GAN and
 * VEEGAN papers: a sample is high quality when it lies within 3 std of some centre; a mode
 * is covered when at least a quarter of its fair share (n / modes) of samples land within
 * 3 std of it (a quarter, so that a mode merely grazed by a few stray samples does not count).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GaussianMixture } from '../data/toy';
import type { Network } from '../models/network';
import type { ParamTensors } from '../nn/params';
import { latents } from '../sample/latents';
import { ConfigError } from '../utils/errors';

export const MODE_RADIUS_STDS = 3;
export const MODE_MIN_FAIR_SHARE = 0.25;

export interface ModeReport {
  modes: number;
  modesCovered: number;
  /** Share of samples within 3 std of some centre. */
  highQualityShare: number;
  /** High-quality samples per mode, in the mixture's centre order. */
  perMode: number[];
}

/** Coverage of `points` ([x0, y0, x1, y1, ...]). */
export function modeCoverage(points: Float32Array | number[], mixture: GaussianMixture): ModeReport {
  if (points.length % 2 !== 0 || points.length === 0)
    throw new ConfigError(
      `mode coverage needs 2-D points as [x0, y0, x1, y1, ...], got ${points.length} numbers`,
      'bad-metric-input',
    );
  const n = points.length / 2;
  const radius = MODE_RADIUS_STDS * mixture.std;
  const perMode = new Array<number>(mixture.centres.length).fill(0);
  let highQuality = 0;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i];
    const y = points[2 * i + 1];
    const hit = mixture.centres.findIndex(([cx, cy]) => Math.hypot(x - cx, y - cy) <= radius);
    if (hit >= 0) {
      perMode[hit]++;
      highQuality++;
    }
  }
  const needed = (MODE_MIN_FAIR_SHARE * n) / mixture.centres.length;
  return {
    modes: mixture.centres.length,
    modesCovered: perMode.filter((count) => count >= needed).length,
    highQualityShare: highQuality / n,
    perMode,
  };
}

/** Samples per forward pass: a million at once would hold GBs of hidden activations. */
const BATCH = 10_000;

/**
 * Coverage of n samples of a 2-D generator drawn from seeded latents, BATCH at a time;
 * `onProgress` hears how many are drawn so far.
 */
export async function generatorModeCoverage(
  generator: Network,
  mixture: GaussianMixture,
  n: number,
  seed: number,
  params: ParamTensors = generator.params,
  onProgress?: (done: number) => void,
): Promise<ModeReport> {
  if (generator.config.outputShape.join() !== '2') {
    throw new ConfigError(
      `mode coverage needs a generator of 2-D points, this one makes [${generator.config.outputShape}]`,
      'bad-metric-input',
    );
  }
  const z = latents(n, generator.config.latentDim, seed);
  const points = new Float32Array(n * 2);
  try {
    for (let start = 0; start < n; start += BATCH) {
      const count = Math.min(BATCH, n - start);
      const samples = tf.tidy(() => generator.apply(params, tf.slice(z, [start, 0], [count, -1])));
      points.set(await samples.data<'float32'>(), start * 2);
      samples.dispose();
      onProgress?.(start + count);
    }
  } finally {
    z.dispose();
  }
  return modeCoverage(points, mixture);
}
