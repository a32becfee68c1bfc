/**
 * A class-conditional generator read as an unconditional one whose latent mixture has one
 * component per label (models/latent_mixture.ts): component k draws label k. Closed form, no
 * training: both read their input through one dense layer, so only its kernel changes.
 *
 * The mixture's network reads x = (c_k + e) / sqrt(2), e ~ N(0, I) of noiseDim, the centres c_k
 * the rows of C [K, noiseDim]. Split e into its part in the rows' span and the rest: with Q an
 * orthonormal basis of the rest ([noiseDim, noiseDim - K]) and C+ = C^T (C C^T)^-1, the kernel
 *   W = sqrt(2) (Q W_z + C+ W_y)
 * (W_z: the conditional kernel's first noiseDim - K latent rows, W_y: its label rows) gives
 * x W = (Q^T e) W_z + (onehot(k) + e C+) W_y: the conditional network on the latent Q^T e, a
 * draw of N(0, I) of noiseDim - K values (its other latent values 0), and the label k plus
 * noise of about 1/sqrt(noiseDim) on each label's weight (0.09 at noiseDim 118), which
 * the conditional network reads as label k (docs/finetune.md measures both).
 * Walks, seeds and the few-shot machinery (allowed components, anchors) then work on it as on
 * any mixture model; fineTune uses it to tune a conditional model toward one label.
 */
import type { ArchConfig } from './config';
import { mixtureCentres } from './latent_mixture';

export interface LabelledKernel {
  /** [latentDim + labels, units] row-major: the conditional generator's first dense kernel. */
  values: Float32Array;
  units: number;
}

/**
 * The architecture of the mixture model read from conditional `arch`: the same networks,
 * `labels` components instead of labels, the same latentDim.
 */
export function mixtureArchOf(arch: ArchConfig): ArchConfig {
  const { labels, ...rest } = arch;
  if (labels == null) throw new Error('mixtureArchOf: the architecture has no labels');
  if (arch.latentComponents != null)
    throw new Error('mixtureArchOf: a conditional generator with a latent mixture already has its components');
  return { ...rest, latentComponents: labels };
}

/**
 * The mixture model's input kernel [latentDim - labels, units] from the conditional one
 * [latentDim + labels, units] (see the file's comment).
 */
export function mixtureKernel(arch: ArchConfig, kernel: LabelledKernel): Float32Array {
  const K = arch.labels!;
  const noiseDim = arch.latentDim - K;
  const { values, units } = kernel;
  if (values.length !== (arch.latentDim + K) * units)
    throw new Error(`mixtureKernel: the input kernel holds ${values.length} values, not [${arch.latentDim + K}, ${units}]`);
  const C = Float64Array.from(mixtureCentres(K, noiseDim));
  const basis = orthonormalRows(C, K, noiseDim);
  const pinv = pseudoInverse(C, K, noiseDim);
  const out = new Float32Array(noiseDim * units);
  for (let r = 0; r < noiseDim; r++) {
    const row = new Float64Array(units);
    // Q W_z: the complement's basis vectors are rows K.. of `basis`; Q[r, j] = basis[K + j][r].
    for (let j = 0; j < noiseDim - K; j++) {
      const q = basis[(K + j) * noiseDim + r];
      if (q !== 0) for (let u = 0; u < units; u++) row[u] += q * values[j * units + u];
    }
    // C+ W_y: the label rows follow the latent's latentDim rows.
    for (let k = 0; k < K; k++) {
      const p = pinv[r * K + k];
      for (let u = 0; u < units; u++) row[u] += p * values[(arch.latentDim + k) * units + u];
    }
    for (let u = 0; u < units; u++) out[r * units + u] = Math.SQRT2 * row[u];
  }
  return out;
}

/**
 * An orthonormal basis of R^n, [n, n] row-major, whose first k rows span the rows of C [k, n]:
 * Gram-Schmidt (twice, for float rounding) over C's rows, then the standard basis.
 */
function orthonormalRows(C: Float64Array, k: number, n: number): Float64Array {
  const basis = new Float64Array(n * n);
  let count = 0;
  const candidates = (i: number) => (i < k ? C.subarray(i * n, (i + 1) * n) : unit(i - k, n));
  for (let i = 0; i < k + n && count < n; i++) {
    const v = Float64Array.from(candidates(i));
    const norm0 = Math.hypot(...v);
    for (let pass = 0; pass < 2; pass++)
      for (let b = 0; b < count; b++) {
        const row = basis.subarray(b * n, (b + 1) * n);
        let dot = 0;
        for (let t = 0; t < n; t++) dot += v[t] * row[t];
        for (let t = 0; t < n; t++) v[t] -= dot * row[t];
      }
    const norm = Math.hypot(...v);
    if (norm < 1e-8 * norm0) {
      if (i < k) throw new Error('mixtureKernel: the mixture centres are linearly dependent');
      continue;
    }
    for (let t = 0; t < n; t++) basis[count * n + t] = v[t] / norm;
    count++;
  }
  return basis;
}

function unit(i: number, n: number): Float64Array {
  const v = new Float64Array(n);
  v[i] = 1;
  return v;
}

/** C^T (C C^T)^-1 for C [k, n] of full row rank, [n, k] row-major (Gauss-Jordan on the k x k Gram matrix). */
function pseudoInverse(C: Float64Array, k: number, n: number): Float64Array {
  const gram = new Float64Array(k * 2 * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let dot = 0;
      for (let t = 0; t < n; t++) dot += C[i * n + t] * C[j * n + t];
      gram[i * 2 * k + j] = dot;
    }
    gram[i * 2 * k + k + i] = 1;
  }
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(gram[r * 2 * k + col]) > Math.abs(gram[pivot * 2 * k + col])) pivot = r;
    for (let t = 0; t < 2 * k; t++)
      [gram[col * 2 * k + t], gram[pivot * 2 * k + t]] = [gram[pivot * 2 * k + t], gram[col * 2 * k + t]];
    const d = gram[col * 2 * k + col];
    for (let t = 0; t < 2 * k; t++) gram[col * 2 * k + t] /= d;
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const f = gram[r * 2 * k + col];
      for (let t = 0; t < 2 * k; t++) gram[r * 2 * k + t] -= f * gram[col * 2 * k + t];
    }
  }
  const out = new Float64Array(n * k);
  for (let t = 0; t < n; t++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += C[i * n + t] * gram[i * 2 * k + k + j];
      out[t * k + j] = s;
    }
  return out;
}
