/**
 * The WGAN-GP authors' 2-D toy sets (gan_toy.py), seeded by the trainer's Rng.
 * 8gaussians: a centre at radius 2 on one of the 8 compass directions, plus N(0, 0.02^2) per
 *   coordinate, all divided by 1.414.
 * 25gaussians: a centre on the grid {-4, -2, 0, 2, 4}^2, plus N(0, 0.05^2), divided by 2.828.
 * swissroll: sklearn make_swiss_roll(noise=0.25): t = 1.5 pi (1 + 2u), u ~ U[0, 1);
 *   (x, y, z) = (t cos t, 21 u', t sin t) + N(0, 0.25^2) each; keep (x, z), divide by 7.5.
 *   y is dropped, so it is not drawn.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../utils/errors';
import type { Rng } from '../utils/rng';
import type { Dataset } from './dataset';

export type ToyName = '8gaussians' | '25gaussians' | 'swissroll';
export const TOY_NAMES: readonly ToyName[] = ['8gaussians', '25gaussians', 'swissroll'];
export type MixtureName = Exclude<ToyName, 'swissroll'>;

/** A Gaussian mixture as the metrics see it: centres and per-coordinate std, after scaling. */
export interface GaussianMixture {
  centres: [number, number][];
  std: number;
}

const EIGHT = { radius: 2, std: 0.02, divisor: 1.414 };
const TWENTY_FIVE = { grid: [-4, -2, 0, 2, 4], std: 0.05, divisor: 2.828 };
const SWISS_ROLL = { noise: 0.25, divisor: 7.5 };

function rawCentres(name: MixtureName): [number, number][] {
  if (name === '8gaussians') {
    return Array.from({ length: 8 }, (_, k) => [
      EIGHT.radius * Math.cos((k * Math.PI) / 4),
      EIGHT.radius * Math.sin((k * Math.PI) / 4),
    ]);
  }
  return TWENTY_FIVE.grid.flatMap((x) => TWENTY_FIVE.grid.map((y) => [x, y] as [number, number]));
}

const mixtureParts = (name: MixtureName) => (name === '8gaussians' ? EIGHT : TWENTY_FIVE);

export function toyMixture(name: MixtureName): GaussianMixture {
  if (name !== '8gaussians' && name !== '25gaussians')
    throw new ConfigError(`'${String(name)}' is not a Gaussian mixture: use 8gaussians or 25gaussians`, 'bad-data');
  const { std, divisor } = mixtureParts(name);
  return { centres: rawCentres(name).map(([x, y]) => [x / divisor, y / divisor]), std: std / divisor };
}

/** n points as [x0, y0, x1, y1, ...]. */
export function toyPoints(name: ToyName, n: number, rng: Rng): Float32Array {
  if (!TOY_NAMES.includes(name))
    throw new ConfigError(`unknown toy data set '${String(name)}': use one of ${TOY_NAMES.join(', ')}`, 'bad-data');
  const out = new Float32Array(2 * n);
  if (name === 'swissroll') {
    for (let i = 0; i < n; i++) {
      const t = 1.5 * Math.PI * (1 + 2 * rng.uniform());
      out[2 * i] = (t * Math.cos(t) + SWISS_ROLL.noise * rng.normal()) / SWISS_ROLL.divisor;
      out[2 * i + 1] = (t * Math.sin(t) + SWISS_ROLL.noise * rng.normal()) / SWISS_ROLL.divisor;
    }
    return out;
  }
  const centres = rawCentres(name);
  const { std, divisor } = mixtureParts(name);
  for (let i = 0; i < n; i++) {
    const [cx, cy] = centres[rng.int(centres.length)];
    out[2 * i] = (cx + std * rng.normal()) / divisor;
    out[2 * i + 1] = (cy + std * rng.normal()) / divisor;
  }
  return out;
}

export function toyDataset(name: ToyName): Dataset {
  if (!TOY_NAMES.includes(name))
    throw new ConfigError(`unknown toy data set '${String(name)}': use one of ${TOY_NAMES.join(', ')}`, 'bad-data');
  return {
    sampleShape: [2],
    next: (batchSize, rng) => tf.tensor2d(toyPoints(name, batchSize, rng), [batchSize, 2]),
  };
}
