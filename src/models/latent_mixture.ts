/**
 * A disconnected latent prior (arch.latentComponents = K). A generator is a continuous map, so
 * from one connected N(0, I) it must pass between the data's clusters somewhere: MNIST models
 * draw digits between two digits 2.6 times as often as people write them
 * (scripts/unconfident.script.ts). From K separated Gaussians it need not.
 *
 * The latent stays N(0, I) of latentDim, so seeds, batches, walks and truncation work unchanged:
 * the argmax of its first K values picks the component k (each equally likely, by symmetry, with
 * or without a symmetric truncation), the other latentDim - K values are that component's noise
 * e, and the network reads (c_k + e) / sqrt(2). The centres c_k ~ N(0, I) are fixed by
 * CENTRES_SEED, so the input keeps N(0, I)'s scale and two components lie about 15 of their
 * standard deviations apart.
 *
 * arch.latentComponentsAllowed (a few-shot fine-tune's choice, train/finetune.ts) restricts the
 * argmax to a subset of the components: the argmax runs over those values only, so each allowed
 * component stays equally likely, seeds keep their meaning (a latent whose component is allowed
 * draws what it drew before) and sampling code needs no change.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../utils/rng';

const CENTRES_SEED = 20261128;
const centresMemo = new Map<string, Float32Array>();

/** The K x noiseDim centres, row-major: a pure function of the sizes. */
export function mixtureCentres(components: number, noiseDim: number): Float32Array {
  const key = `${components}x${noiseDim}`;
  let centres = centresMemo.get(key);
  if (centres == null) {
    const rng = new Rng(CENTRES_SEED);
    centres = Float32Array.from({ length: components * noiseDim }, () => rng.normal());
    centresMemo.set(key, centres);
  }
  return centres;
}

/**
 * The component a latent picks: the argmax of its first K values (the first on a tie, as
 * tf.argMax), over the `allowed` components only when given (ascending indices below K).
 */
export function componentOf(latent: ArrayLike<number>, components: number, allowed?: readonly number[]): number {
  if (allowed != null) {
    let best = allowed[0];
    for (const k of allowed) if (latent[k] > latent[best]) best = k;
    return best;
  }
  let best = 0;
  for (let k = 1; k < components; k++) if (latent[k] > latent[best]) best = k;
  return best;
}

/** Latents [n, latentDim] -> the network's input [n, latentDim - components]. */
export function mixtureInput(z: tf.Tensor2D, components: number, allowed?: readonly number[]): tf.Tensor2D {
  return tf.tidy(() => {
    const noiseDim = z.shape[1] - components;
    const choice = tf.slice(z, [0, 0], [-1, components]);
    const component =
      allowed == null || allowed.length === components
        ? tf.argMax(choice, 1)
        : tf.gather(tf.tensor1d(Int32Array.from(allowed), 'int32'), tf.argMax(tf.gather(choice, tf.tensor1d(Int32Array.from(allowed), 'int32'), 1), 1));
    const centres = tf.tensor2d(mixtureCentres(components, noiseDim), [components, noiseDim]);
    const noise = tf.slice(z, [0, components], [-1, noiseDim]);
    return tf.mul(tf.add(tf.gather(centres, component), noise), Math.SQRT1_2);
  });
}
