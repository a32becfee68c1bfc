/**
 * Wasserstein-1 between equal-size samples, exactly: the cost of the optimal matching of
 * generated to real samples under Euclidean distance (Hungarian algorithm, O(n^3)), i.e. W1 of
 * the two empirical distributions. Exact rather than sliced, so it is the quantity WGAN
 * estimates; kept to small samples (n <= 1024) by its cubic cost. Finite-sample W1 is biased
 * upward: compare values at equal n only.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
import type { Network } from '../models/network';
import type { ParamTensors } from '../nn/params';
import { latents } from '../sample/latents';
import { ConfigError } from '../utils/errors';
import { Rng } from '../utils/rng';

export const MAX_EXACT_W1_SAMPLES = 1024;

/** W1 between n points of `a` and n points of `b`, each row-major n x dim. */
export function exactW1(a: Float32Array, b: Float32Array, dim: number): number {
  if (!Number.isInteger(dim) || dim < 1)
    throw new ConfigError(`exactW1: dim must be a positive integer, got ${dim}`, 'bad-metric-input');
  if (a.length !== b.length || a.length % dim !== 0 || a.length === 0) {
    throw new ConfigError(
      `exactW1 needs two equal samples of ${dim}-D points, got ${a.length} and ${b.length} numbers`,
      'bad-metric-input',
    );
  }
  const n = a.length / dim;
  if (n > MAX_EXACT_W1_SAMPLES)
    throw new ConfigError(
      `exactW1: ${n} samples exceed ${MAX_EXACT_W1_SAMPLES} (cost grows as n^3)`,
      'bad-metric-input',
    );
  const cost = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sq = 0;
      for (let k = 0; k < dim; k++) {
        const d = a[i * dim + k] - b[j * dim + k];
        sq += d * d;
      }
      cost[i * n + j] = Math.sqrt(sq);
    }
  }
  const match = minimumCostMatching(cost, n);
  let total = 0;
  for (let i = 0; i < n; i++) total += cost[i * n + match[i]];
  return total / n;
}

/**
 * Hungarian algorithm with potentials (shortest augmenting paths), O(n^3).
 * Returns, for each row, its column in a minimum-cost perfect matching.
 */
function minimumCostMatching(cost: Float64Array, n: number): Int32Array {
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const rowOfColumn = new Int32Array(n + 1); // 1-based; 0 = free
  const way = new Int32Array(n + 1);
  const minv = new Float64Array(n + 1);
  const used = new Uint8Array(n + 1);
  for (let row = 1; row <= n; row++) {
    rowOfColumn[0] = row;
    let column = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[column] = 1;
      const i0 = rowOfColumn[column];
      let delta = Infinity;
      let next = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const reduced = cost[(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
        if (reduced < minv[j]) {
          minv[j] = reduced;
          way[j] = column;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          next = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[rowOfColumn[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      column = next;
    } while (rowOfColumn[column] !== 0);
    do {
      const previous = way[column];
      rowOfColumn[column] = rowOfColumn[previous];
      column = previous;
    } while (column !== 0);
  }
  const columnOfRow = new Int32Array(n);
  for (let j = 1; j <= n; j++) columnOfRow[rowOfColumn[j] - 1] = j - 1;
  return columnOfRow;
}

/** W1 between n generated samples and n fresh samples of `data`, both drawn from `seed`. */
export async function generatorW1(
  generator: Network,
  data: Dataset,
  n: number,
  seed: number,
  params: ParamTensors = generator.params,
): Promise<number> {
  const rng = new Rng(seed);
  const [fake, real] = tf.tidy(() => [
    generator.apply(params, latents(n, generator.config.latentDim, rng.seed())),
    data.next(n, rng),
  ]);
  const [fakeValues, realValues] = await Promise.all([fake.data(), real.data()]);
  fake.dispose();
  real.dispose();
  const dim = fake.size / n;
  if (real.size !== fake.size)
    throw new ConfigError(
      `W1: generated samples are [${fake.shape}], data samples [${real.shape}]`,
      'bad-metric-input',
    );
  return exactW1(fakeValues as Float32Array, realValues as Float32Array, dim);
}
