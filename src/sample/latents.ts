/**
 * Seeded latents: the same (n, latentDim, seed) gives the same numbers on every backend, since
 * tfjs draws seeded normals in JS (seedrandom's alea) and only then uploads them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../utils/errors';
import { tfSeed } from '../utils/rng';

export function latents(n: number, latentDim: number, seed: number): tf.Tensor2D {
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`latents: n must be a positive integer, got ${n}`, 'bad-n');
  if (!Number.isInteger(latentDim) || latentDim < 1)
    throw new ConfigError(`latents: latentDim must be a positive integer, got ${latentDim}`, 'bad-argument');
  if (!Number.isFinite(seed)) throw new ConfigError(`latents: seed must be a finite number, got ${seed}`, 'bad-seed');
  return tf.randomNormal([n, latentDim], 0, 1, 'float32', tfSeed(seed));
}
