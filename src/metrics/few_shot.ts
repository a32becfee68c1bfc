/**
 * Variety of a few-shot fine-tune (issue 26): each sample's Euclidean pixel distance to its
 * nearest shot (the images it was tuned on), the median of those, against the typical distance
 * between two real images of the class (the median over pairs of held-out images). Copies of
 * the shots read 0; held-out real images of the class read about 0.8 on MNIST with ten shots,
 * since the nearest of ten is nearer than a typical pair. No tfjs here: the browser test's server
 * picks the same shots (pickShots) as Node's bench and scripts.
 */
import { ConfigError } from '../utils/errors';
import { median } from '../utils/median';
import { Rng } from '../utils/rng';

export interface NearestShotRatio {
  /** Median over samples of the distance to the nearest shot. */
  medianNearestShot: number;
  /** Median distance between two distinct real images of the class. */
  typicalRealDistance: number;
  /** medianNearestShot / typicalRealDistance. */
  ratio: number;
  /** The same ratio for the real images themselves (what real variety reads). */
  realRatio: number;
  /**
   * The median distance between two samples (of the first VARIETY_SAMPLES) over the typical
   * real distance: about 1 for samples as varied as real images, whatever the shots. A model
   * that drew one image far from every shot would read a high ratio, and near 0 here.
   */
  variety: number;
}

const VARIETY_SAMPLES = 200;

/** Rows of `size` floats each (same scale for all three sets, e.g. pixels in [0, 1]). */
export function nearestShotRatio(
  samples: Float32Array,
  shots: Float32Array,
  reals: Float32Array,
  size: number,
): NearestShotRatio {
  const rows = (a: Float32Array) => {
    if (a.length % size !== 0 || a.length === 0)
      throw new ConfigError(
        `nearestShotRatio: ${a.length} values are not a whole number of rows of ${size}`,
        'bad-metric-input',
      );
    return a.length / size;
  };
  const [n, m, r] = [rows(samples), rows(shots), rows(reals)];
  if (r < 2) throw new ConfigError('nearestShotRatio: needs at least 2 real images', 'bad-metric-input');
  const dist = (a: Float32Array, i: number, b: Float32Array, j: number) => {
    let s = 0;
    for (let k = 0; k < size; k++) {
      const d = a[i * size + k] - b[j * size + k];
      s += d * d;
    }
    return Math.sqrt(s);
  };
  const nearest = (a: Float32Array, count: number) =>
    Array.from({ length: count }, (_, i) => {
      let best = Infinity;
      for (let j = 0; j < m; j++) best = Math.min(best, dist(a, i, shots, j));
      return best;
    });
  const pairs: number[] = [];
  for (let i = 0; i < r; i++) for (let j = i + 1; j < r; j++) pairs.push(dist(reals, i, reals, j));
  const typical = median(pairs);
  const medianNearestShot = median(nearest(samples, n));
  const sampled: number[] = [];
  for (let i = 0; i < Math.min(n, VARIETY_SAMPLES); i++)
    for (let j = i + 1; j < Math.min(n, VARIETY_SAMPLES); j++) sampled.push(dist(samples, i, samples, j));
  return {
    medianNearestShot,
    typicalRealDistance: typical,
    ratio: medianNearestShot / typical,
    realRatio: median(nearest(reals, r)) / typical,
    variety: n < 2 ? 0 : median(sampled) / typical,
  };
}

/**
 * The protocol of docs/finetune.md's tables: of the images labelled `digit` (in `labels`' order),
 * `shots` drawn by a seeded partial shuffle (Rng(seed + digit)), then the next `reals` of the
 * shuffled list as held-out real images of the class. Returns their indices into `labels`.
 */
export function pickShots(
  labels: ArrayLike<number>,
  digit: number,
  shots: number,
  reals: number,
  seed: number,
): { shots: number[]; reals: number[] } {
  const indices: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] === digit) indices.push(i);
  if (indices.length < shots + 2)
    throw new ConfigError(
      `pickShots: ${indices.length} images of ${digit}, fewer than ${shots} shots and 2 real ones`,
      'bad-metric-input',
    );
  const rng = new Rng(seed + digit);
  for (let i = 0; i < shots; i++) {
    const j = i + rng.int(indices.length - i);
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return { shots: indices.slice(0, shots), reals: indices.slice(shots, shots + reals) };
}
