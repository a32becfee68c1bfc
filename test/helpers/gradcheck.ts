/**
 * Gradient checks against central finite differences, for any order and any tfjs backend.
 *
 * Order 1 checks the vector-Jacobian product: the autodiff gradient of
 * F0(x) = sum(dy * f(x)), dy random, against finite differences of F0. Order k+1 checks the
 * gradient of F_k(x) = sum_i sum(r_i * dF_{k-1}/dx_i) (r_i random, the gradient taken by
 * autodiff) against finite differences of F_k. Finite differences run on float32 tensors
 * but sum and divide in float64, and divide by the step actually taken after float32
 * rounding. Browser-safe: no Node APIs, reads with data() only.
 */
import * as tf from '@tensorflow/tfjs-core';

export type Random = () => number;

/** mulberry32: a small seeded generator, so every check sees the same numbers each run. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomNormal(rand: Random, shape: number[]): tf.Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) {
    // Box-Muller; 1 - u keeps the log finite.
    values[i] = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  }
  return tf.tensor(values, shape);
}

export interface UniformOptions {
  min?: number;
  max?: number;
  /** Points (kinks of relu, abs, clip, ...) that no value may come closer to than `margin`. */
  awayFrom?: number[];
  margin?: number;
}

export function randomUniform(rand: Random, shape: number[], options: UniformOptions = {}): tf.Tensor {
  const { min = -1, max = 1, awayFrom = [], margin = 0.1 } = options;
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) {
    let v: number;
    do v = min + (max - min) * rand();
    while (awayFrom.some((p) => Math.abs(v - p) < margin));
    values[i] = v;
  }
  return tf.tensor(values, shape);
}

export interface GradCase {
  name: string;
  /** Kernels whose gradients this case exercises. */
  kernels: string[];
  /** The points to differentiate at (float32), drawn from `rand`. */
  inputs: (rand: Random) => tf.Tensor[];
  f: (...xs: tf.Tensor[]) => tf.Tensor;
  /** Highest order to check (default 2). Linear ops are squared in `f` so that order 2 means something. */
  order?: number;
  /** Finite-difference step, relative to max(1, |x|). Default 1e-2. */
  step?: number;
  /**
   * For piecewise-smooth functions (relu-family nets): values whose signs select the piece,
   * such as every pre-activation. A coordinate whose +-step changes a sign straddles a kink,
   * where finite differences mean nothing; it is skipped and counted.
   */
  pieces?: (...xs: tf.Tensor[]) => tf.Tensor;
  /** Only on these backends (a kernel wrong elsewhere, said in the name); absent: all. */
  backends?: string[];
}

export interface CheckOptions {
  order?: number;
  seed?: number;
  /** Coordinates per input checked by finite differences (a random subset beyond this). */
  maxCoordinates?: number;
  relativeTolerance?: number;
  /** Absolute tolerance, as a fraction of max(1, the largest numeric gradient of that input). */
  absoluteTolerance?: number;
}

export interface Mismatch {
  order: number;
  input: number;
  index: number;
  autodiff: number;
  numeric: number;
}

export interface CheckReport {
  order: number;
  /** Coordinates checked, and those skipped because their step crossed a kink (see `pieces`). */
  checked: number;
  skipped: number;
  /** Largest |autodiff - numeric| / allowed over the checked coordinates: <= 1 passes. */
  worstRatio: number;
  mismatches: Mismatch[];
}

type VectorFn = (xs: tf.Tensor[]) => tf.Tensor[];

/** Checks orders 1..order of `c.f` at one random point; reports every mismatch. */
export async function checkGradients(c: GradCase, options: CheckOptions = {}): Promise<CheckReport[]> {
  const {
    order = c.order ?? 2,
    seed = 1,
    maxCoordinates = 12,
    relativeTolerance = 1e-2,
    absoluteTolerance = 2e-3,
  } = options;
  const rand = seededRandom(seed);
  const xs = c.inputs(rand);
  // levels[k] maps x to the vectors whose weighted sum is F_k; levels[k + 1] is its gradient.
  const levels: VectorFn[] = [(inputs) => [c.f(...inputs)]];
  const weights: tf.Tensor[][] = [];
  for (let k = 0; k < order; k++) {
    const shapes = tf.tidy(() => levels[k](xs).map((t) => t.shape));
    weights.push(shapes.map((shape) => randomNormal(rand, shape)));
    levels.push(gradientOfWeightedSum(levels[k], weights[k]));
  }
  try {
    const reports: CheckReport[] = [];
    for (let k = 0; k < order; k++) {
      const autodiff = await readAll(tf.tidy(() => levels[k + 1](xs)));
      const report: CheckReport = { order: k + 1, checked: 0, skipped: 0, worstRatio: 0, mismatches: [] };
      for (let i = 0; i < xs.length; i++) {
        const coordinates = pickCoordinates(xs[i].size, maxCoordinates, rand);
        const numeric = await finiteDifferences(levels[k], weights[k], xs, i, coordinates, c.step ?? 1e-2, c.pieces);
        const scale = Math.max(1, ...numeric.filter((n) => n != null).map(Math.abs));
        coordinates.forEach((index, j) => {
          const a = autodiff[i][index];
          const n = numeric[j];
          if (n == null) {
            report.skipped++;
            return;
          }
          report.checked++;
          const allowed = absoluteTolerance * scale + relativeTolerance * Math.abs(n);
          const ratio = Math.abs(a - n) / allowed;
          report.worstRatio = Math.max(report.worstRatio, Number.isNaN(ratio) ? Infinity : ratio);
          if (!(ratio <= 1)) report.mismatches.push({ order: k + 1, input: i, index, autodiff: a, numeric: n });
        });
      }
      reports.push(report);
    }
    return reports;
  } finally {
    tf.dispose(xs);
    weights.forEach((w) => tf.dispose(w));
  }
}

/**
 * x -> d/dx sum_i sum(w_i * fn(x)_i), by autodiff. A derivative may not depend on every
 * input (the second order of a bilinear op in its bias, say), which tf.grads refuses; the
 * term 0 * sum(x) links each input without changing the value, so such inputs get zeros,
 * and finite differences still judge them.
 */
function gradientOfWeightedSum(fn: VectorFn, weights: tf.Tensor[]): VectorFn {
  return (xs) =>
    tf.grads((...ys: tf.Tensor[]) =>
      tf.add(weightedSum(fn(ys), weights), tf.mul(0, weightedSum(ys, ys.map(tf.onesLike)))),
    )(xs);
}

function weightedSum(values: tf.Tensor[], weights: tf.Tensor[]): tf.Scalar {
  return tf.addN(values.map((v, i) => tf.sum(tf.mul(v, weights[i])))) as tf.Scalar;
}

/**
 * Central differences of sum_o sum(weights_o * fn(x)_o) along the given coordinates of
 * input i; null where the step changes the sign pattern of `pieces`.
 */
async function finiteDifferences(
  fn: VectorFn,
  levelWeights: tf.Tensor[],
  xs: tf.Tensor[],
  i: number,
  coordinates: number[],
  relativeStep: number,
  pieces: GradCase['pieces'],
): Promise<(number | null)[]> {
  const weights = await Promise.all(levelWeights.map((w) => w.data() as Promise<Float32Array>));
  const base = (await xs[i].data()) as Float32Array;
  const withInput = <T>(values: Float32Array, run: (inputs: tf.Tensor[]) => T): T => {
    const moved = tf.tensor(values, xs[i].shape);
    try {
      return run(xs.map((x, j) => (j === i ? moved : x)));
    } finally {
      moved.dispose();
    }
  };
  const evaluate = async (values: Float32Array): Promise<number> => {
    const outputs = await readAll(withInput(values, (inputs) => tf.tidy(() => fn(inputs))));
    let sum = 0;
    outputs.forEach((out, o) => out.forEach((v, e) => (sum += v * weights[o][e])));
    return sum;
  };
  const signs = async (values: Float32Array): Promise<string> => {
    if (pieces == null) return '';
    const [p] = await readAll(withInput(values, (inputs) => [tf.tidy(() => tf.sign(pieces(...inputs)))]));
    return p.join();
  };
  const baseSigns = await signs(base);
  const result: (number | null)[] = [];
  for (const index of coordinates) {
    const h = relativeStep * Math.max(1, Math.abs(base[index]));
    const plus = base.slice();
    const minus = base.slice();
    plus[index] = base[index] + h;
    minus[index] = base[index] - h;
    if ((await signs(plus)) !== baseSigns || (await signs(minus)) !== baseSigns) {
      result.push(null);
      continue;
    }
    result.push(((await evaluate(plus)) - (await evaluate(minus))) / (plus[index] - minus[index]));
  }
  return result;
}

/** Reads and disposes the tensors. */
async function readAll(tensors: tf.Tensor[]): Promise<Float32Array[]> {
  const values = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(tensors);
  return values;
}

function pickCoordinates(size: number, max: number, rand: Random): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (size <= max) return all;
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, max).sort((a, b) => a - b);
}
