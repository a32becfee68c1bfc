import { describe, expect, it } from 'vitest';
import {
  featureStats,
  frechetDistance,
  frechetFromStats,
  symmetricEigen,
  type FeatureStats,
} from '../../src/metrics/frechet';
import { Rng } from '../../src/utils/rng';

function randomSymmetric(n: number, rng: Rng): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = rng.normal();
      m[i * n + j] = v;
      m[j * n + i] = v;
    }
  }
  return m;
}

function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) out[i * n + j] += a[i * n + k] * b[k * n + j];
  return out;
}

function transpose(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = a[i * n + j];
  return out;
}

function diagonal(values: number[]): Float64Array {
  const n = values.length;
  const out = new Float64Array(n * n);
  values.forEach((v, i) => (out[i * n + i] = v));
  return out;
}

/** A random orthogonal matrix: Gram-Schmidt on random columns. */
function randomOrthogonal(n: number, rng: Rng): Float64Array {
  const q = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const v = Array.from({ length: n }, () => rng.normal());
    for (let prev = 0; prev < c; prev++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += v[i] * q[i * n + prev];
      for (let i = 0; i < n; i++) v[i] -= dot * q[i * n + prev];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) q[i * n + c] = v[i] / norm;
  }
  return q;
}

const stats = (mean: number[], covariance: Float64Array): FeatureStats => ({
  dim: mean.length,
  count: 1000,
  mean: Float64Array.from(mean),
  covariance,
});

const maxAbs = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('symmetricEigen', () => {
  it('reconstructs a random symmetric 40x40 matrix from orthonormal eigenvectors', () => {
    const n = 40;
    const a = randomSymmetric(n, new Rng(3));
    const { values, vectors } = symmetricEigen(a, n);
    const rebuilt = matmul(matmul(vectors, diagonal([...values]), n), transpose(vectors, n), n);
    expect(maxAbs(rebuilt, a)).toBeLessThan(1e-10);
    const identity = diagonal(new Array(n).fill(1));
    expect(maxAbs(matmul(transpose(vectors, n), vectors, n), identity)).toBeLessThan(1e-10);
  });

  it('finds the known spectrum of Q diag(d) Q^T', () => {
    const n = 25;
    const d = Array.from({ length: n }, (_, i) => i * 0.5 - 3);
    const q = randomOrthogonal(n, new Rng(4));
    const { values } = symmetricEigen(matmul(matmul(q, diagonal(d), n), transpose(q, n), n), n);
    const sorted = [...values].sort((x, y) => x - y);
    sorted.forEach((v, i) => expect(v).toBeCloseTo(d[i], 10));
  });

  it('rejects a matrix of the wrong size', () => {
    expect(() => symmetricEigen(new Float64Array(5), 2)).toThrow(/2 x 2 matrix needs 4 values, got 5/);
  });
});

describe('Frechet distance', () => {
  it('matches the closed form for diagonal covariances, also rotated into a common non-diagonal basis', () => {
    const rng = new Rng(5);
    const n = 30;
    const m1 = Array.from({ length: n }, () => rng.normal());
    const m2 = Array.from({ length: n }, () => rng.normal());
    const a = Array.from({ length: n }, () => 0.1 + 2 * rng.uniform());
    const b = Array.from({ length: n }, () => 0.1 + 2 * rng.uniform());
    let expected = 0;
    for (let i = 0; i < n; i++) expected += (m1[i] - m2[i]) ** 2 + (Math.sqrt(a[i]) - Math.sqrt(b[i])) ** 2;
    expect(frechetFromStats(stats(m1, diagonal(a)), stats(m2, diagonal(b)))).toBeCloseTo(expected, 9);
    // Rotating both Gaussians (means too) by one orthogonal Q leaves the distance unchanged.
    const q = randomOrthogonal(n, rng);
    const rotate = (c: Float64Array) => matmul(matmul(q, c, n), transpose(q, n), n);
    const rotateMean = (m: number[]) => m.map((_, i) => m.reduce((s, v, k) => s + q[i * n + k] * v, 0));
    expect(
      frechetFromStats(stats(rotateMean(m1), rotate(diagonal(a))), stats(rotateMean(m2), rotate(diagonal(b)))),
    ).toBeCloseTo(expected, 8);
  });

  it('matches tr sqrt(S1 S2) = sum sqrt(d) for non-commuting S1 = L L^T, S2 = L^-T D L^-1', () => {
    // S1 S2 = L D L^-1 is similar to D, so tr (S1 S2)^(1/2) = sum sqrt(d_i) though S1, S2 do not commute.
    const n = 20;
    const rng = new Rng(6);
    const l = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) l[i * n + j] = 0.3 * rng.normal();
      l[i * n + i] = 1 + rng.uniform();
    }
    const lInverse = new Float64Array(n * n); // forward substitution, column by column
    for (let c = 0; c < n; c++) {
      for (let i = 0; i < n; i++) {
        let sum = i === c ? 1 : 0;
        for (let k = 0; k < i; k++) sum -= l[i * n + k] * lInverse[k * n + c];
        lInverse[i * n + c] = sum / l[i * n + i];
      }
    }
    const d = Array.from({ length: n }, () => 0.2 + 3 * rng.uniform());
    const s1 = matmul(l, transpose(l, n), n);
    const s2 = matmul(matmul(transpose(lInverse, n), diagonal(d), n), lInverse, n);
    expect(maxAbs(matmul(s1, s2, n), transpose(matmul(s1, s2, n), n))).toBeGreaterThan(0.1); // they do not commute
    const zeros = new Array(n).fill(0);
    let traces = 0;
    for (let i = 0; i < n; i++) traces += s1[i * n + i] + s2[i * n + i];
    const expected = traces - 2 * d.reduce((s, v) => s + Math.sqrt(v), 0);
    expect(frechetFromStats(stats(zeros, s1), stats(zeros, s2))).toBeCloseTo(expected, 8);
  });

  it('is ~0 for identical sets and near the closed form for large samples of two Gaussians', () => {
    const rng = new Rng(7);
    const dim = 16;
    const count = 20000;
    const sd1 = Array.from({ length: dim }, () => 0.5 + rng.uniform());
    const sd2 = Array.from({ length: dim }, () => 0.5 + rng.uniform());
    const shift = 0.3;
    const x = new Float32Array(count * dim);
    const y = new Float32Array(count * dim);
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < dim; j++) {
        x[i * dim + j] = sd1[j] * rng.normal();
        y[i * dim + j] = shift + sd2[j] * rng.normal();
      }
    }
    expect(frechetDistance(x, x, dim)).toBeLessThan(1e-8);
    let expected = 0;
    for (let j = 0; j < dim; j++) expected += shift ** 2 + (sd1[j] - sd2[j]) ** 2;
    // Sampling error of means and covariances at 20000 samples: a few percent of the distance.
    expect(Math.abs(frechetDistance(x, y, dim) - expected)).toBeLessThan(0.05 * expected + 0.01);
  });

  it('computes the unbiased mean and covariance', () => {
    const s = featureStats(Float32Array.from([1, 2, 3, 6, 5, 10]), 2);
    expect([...s.mean]).toEqual([3, 6]);
    expect([...s.covariance]).toEqual([4, 8, 8, 16]);
    expect(s.count).toBe(3);
  });

  it('rejects bad input naming the problem', () => {
    expect(() => featureStats(new Float32Array(7), 2)).toThrow(
      /7 values are not a whole number of 2-dimensional vectors/,
    );
    expect(() => featureStats(new Float32Array(2), 2)).toThrow(/at least 2 vectors, got 1/);
    expect(() => featureStats(Float32Array.from([0, 0, NaN, 0]), 2)).toThrow(/NaN at index 2 \(vector 1\)/);
    expect(() => frechetDistance(new Float32Array(6), new Float32Array(6), 3)).not.toThrow();
    const a = featureStats(new Float32Array(6), 3);
    const b = featureStats(new Float32Array(8), 2);
    expect(() => frechetFromStats(a, b)).toThrow(/feature dims differ \(3 vs 2\)/);
  });
});
