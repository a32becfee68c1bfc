/**
 * Frechet distance between two sets of feature vectors, each summarised as a Gaussian (mean,
 * covariance), as FID does: ||m1 - m2||^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2)).
 * The trace term is computed from the symmetric form S1^(1/2) S2 S1^(1/2), whose eigenvalues
 * are those of S1 S2, with a Jacobi eigen solver in float64 (plain JS: any backend, no tfjs).
 */

import { ConfigError } from '../utils/errors';
export interface FeatureStats {
  dim: number;
  count: number;
  mean: Float64Array;
  /** Row-major dim x dim, unbiased (divides by count - 1), as numpy.cov. */
  covariance: Float64Array;
}

/** Jacobi sweeps are quadratically convergent: ~10 suffice for dim 128; this bounds bad input. */
const MAX_JACOBI_SWEEPS = 100;
/** Off-diagonal mass, relative to the whole matrix's, below which a matrix counts as diagonal. */
const JACOBI_TOLERANCE = 1e-26;

/** Mean and covariance of `count` row-major feature vectors of length `dim`. */
export function featureStats(features: Float32Array | Float64Array, dim: number, what = 'features'): FeatureStats {
  if (!Number.isInteger(dim) || dim < 1)
    throw new ConfigError(`${what}: dim must be a positive integer, got ${dim}`, 'bad-metric-input');
  if (features.length % dim !== 0)
    throw new ConfigError(
      `${what}: ${features.length} values are not a whole number of ${dim}-dimensional vectors`,
      'bad-metric-input',
    );
  const count = features.length / dim;
  if (count < 2)
    throw new ConfigError(`${what}: a covariance needs at least 2 vectors, got ${count}`, 'bad-metric-input');
  const bad = features.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new ConfigError(
      `${what}: value ${features[bad]} at index ${bad} (vector ${Math.floor(bad / dim)}) is not finite`,
      'bad-metric-input',
    );
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += features[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= count;
  const covariance = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) centred[j] = features[i * dim + j] - mean[j];
    // Upper triangle only; mirrored below.
    for (let j = 0; j < dim; j++) {
      const cj = centred[j];
      if (cj === 0) continue;
      const row = j * dim;
      for (let k = j; k < dim; k++) covariance[row + k] += cj * centred[k];
    }
  }
  for (let j = 0; j < dim; j++) {
    for (let k = j; k < dim; k++) {
      const c = covariance[j * dim + k] / (count - 1);
      covariance[j * dim + k] = c;
      covariance[k * dim + j] = c;
    }
  }
  return { dim, count, mean, covariance };
}

/** Frechet distance between two Gaussians given by their statistics. */
export function frechetFromStats(a: FeatureStats, b: FeatureStats): number {
  if (a.dim !== b.dim)
    throw new ConfigError(`Frechet distance: feature dims differ (${a.dim} vs ${b.dim})`, 'bad-metric-input');
  const n = a.dim;
  let meanTerm = 0;
  for (let j = 0; j < n; j++) meanTerm += (a.mean[j] - b.mean[j]) ** 2;
  let traces = 0;
  for (let j = 0; j < n; j++) traces += a.covariance[j * n + j] + b.covariance[j * n + j];
  const rootA = symmetricSqrt(a.covariance, n);
  const product = symmetricPart(multiply(multiply(rootA, b.covariance, n), rootA, n), n);
  let traceRoot = 0;
  for (const lambda of symmetricEigen(product, n).values) traceRoot += Math.sqrt(Math.max(lambda, 0));
  // Rounding can take a distance of two equal sets a hair below zero.
  return Math.max(meanTerm + traces - 2 * traceRoot, 0);
}

/** Frechet distance between two sets of row-major `dim`-vectors. */
export function frechetDistance(a: Float32Array | Float64Array, b: Float32Array | Float64Array, dim: number): number {
  return frechetFromStats(featureStats(a, dim, 'first feature set'), featureStats(b, dim, 'second feature set'));
}

/**
 * Eigenvalues and eigenvectors (the columns of `vectors`, row-major) of a symmetric n x n
 * matrix, by cyclic Jacobi rotations. Only the upper triangle's symmetry is assumed, not checked.
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  if (matrix.length !== n * n)
    throw new Error(`symmetricEigen: a ${n} x ${n} matrix needs ${n * n} values, got ${matrix.length}`);
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (const x of a) total += x * x;
  for (let sweep = 0; sweep < MAX_JACOBI_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off <= JACOBI_TOLERANCE * total) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // Rotation angle that zeroes a[p][q] (Numerical Recipes' jacobi, the smaller root).
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}

/** The symmetric square root V diag(sqrt(max(lambda, 0))) V^T of a symmetric PSD matrix. */
function symmetricSqrt(matrix: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const roots = values.map((lambda) => Math.sqrt(Math.max(lambda, 0)));
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += vectors[i * n + k] * roots[k] * vectors[j * n + k];
      out[i * n + j] = sum;
      out[j * n + i] = sum;
    }
  }
  return out;
}

function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

/** (M + M^T) / 2: removes the rounding asymmetry of a product that is symmetric in exact arithmetic. */
function symmetricPart(m: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = (m[i * n + j] + m[j * n + i]) / 2;
  return out;
}
