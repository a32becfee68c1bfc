/**
 * Latents for sampling: seeded N(0, I) draws (src/sample/latents.ts), optionally truncated,
 * and paths between two of them. Computed in JS on the CPU, so every backend gets the same
 * numbers; the arrays are small (n x latentDim).
 */
import type { ArchConfig } from '../models/config';
import { latentCentre } from '../models/latent_mixture';
import { Rng } from '../utils/rng';
import { latents } from './latents';
import { checkSeed, checkSteps, checkTruncation } from './requests';

/** Ends (anti)parallel to within this sine: slerp would divide by ~0, take the straight line. */
const SLERP_MIN_SINE = 1e-6;

/**
 * n latents of size latentDim from `seed`, row-major. With `truncation`, each value outside
 * [-truncation, truncation] is redrawn until it falls inside (BigGAN's truncation trick);
 * the redraws come from a generator seeded with `seed`, so the result is still a function of
 * the seed alone.
 */
export async function seededLatents(
  n: number,
  latentDim: number,
  seed: number,
  truncation?: number,
): Promise<Float32Array> {
  checkSeed(seed, 'seed');
  checkTruncation(truncation);
  const z = latents(n, latentDim, seed);
  const values = Float32Array.from(await z.data());
  z.dispose();
  if (truncation === undefined) return values;
  const redraws = new Rng(seed);
  for (let i = 0; i < values.length; i++) {
    while (Math.abs(values[i]) > truncation) values[i] = redraws.normal();
  }
  return values;
}

/** `steps` latents from a to b, both ends included, row-major [steps, a.length]. */
/** slerp keeps the path at the typical norm of Gaussian latents; lerp is the straight line. */
export type InterpolationPath = 'slerp' | 'lerp';

export function latentPath(a: Float32Array, b: Float32Array, steps: number, path: InterpolationPath): Float32Array {
  checkSteps(steps);
  const d = a.length;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < d; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  const angle = Math.acos(Math.min(1, Math.max(-1, dot / Math.sqrt(normA * normB))));
  const straight = path === 'lerp' || !(Math.sin(angle) > SLERP_MIN_SINE);
  const out = new Float32Array(steps * d);
  for (let s = 0; s < steps; s++) {
    const t = s / (steps - 1);
    const wa = straight ? 1 - t : Math.sin((1 - t) * angle) / Math.sin(angle);
    const wb = straight ? t : Math.sin(t * angle) / Math.sin(angle);
    for (let i = 0; i < d; i++) out[s * d + i] = wa * a[i] + wb * b[i];
  }
  return out;
}

/**
 * The path for a generator that reads its latent as a mixture of `components` Gaussians
 * (models/latent_mixture.ts): `steps` latents whose network inputs run along `path` between
 * those of a and b. A path through the latents themselves would jump where the argmax of their
 * first K values changes; this one morphs one component into the other. The first half keeps
 * a's first K values (so its component), the second half b's; the noise is what puts the input
 * on the path. The ends are a and b.
 */
export function mixtureLatentPath(
  a: Float32Array,
  b: Float32Array,
  steps: number,
  path: InterpolationPath,
  mixture: MixtureOf,
): Float32Array {
  const d = a.length;
  const components = mixture.latentComponents;
  const noiseDim = d - components;
  const [ca, cb] = [a, b].map((z) =>
    latentCentre(z, components, mixture.latentComponentsAllowed, mixture.latentAnchors),
  );
  const inputOf = (z: Float32Array, { centre, spread }: typeof ca) =>
    Float32Array.from({ length: noiseDim }, (_, j) => (centre[j] + spread * z[components + j]) * Math.SQRT1_2);
  const inputs = latentPath(inputOf(a, ca), inputOf(b, cb), steps, path);
  const out = new Float32Array(steps * d);
  for (let s = 0; s < steps; s++) {
    const [end, { centre, spread }] = 2 * s < steps ? [a, ca] : [b, cb];
    out.set(end.subarray(0, components), s * d);
    for (let j = 0; j < noiseDim; j++)
      out[s * d + components + j] = (Math.SQRT2 * inputs[s * noiseDim + j] - centre[j]) / spread;
  }
  out.set(a, 0);
  out.set(b, (steps - 1) * d);
  return out;
}

/** What mixtureLatentPath reads of an architecture with a latent mixture. */
export type MixtureOf = Required<Pick<ArchConfig, 'latentComponents'>> &
  Pick<ArchConfig, 'latentComponentsAllowed' | 'latentAnchors'>;
