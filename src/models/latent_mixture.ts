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
 *
 * arch.latentAnchors (a few-shot fine-tune's anchors, train/finetune.ts) replaces the centres by
 * A points of the network's input space, each found by inverting the generator on one image:
 * a latent picks its anchor by its first value (anchor floor(A Phi(z_0)), each equally likely)
 * and the network reads (p_a + spread e) / sqrt(2). A component draws several kinds where an
 * anchor lies within one: the region around each image, narrower than its component.
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

/** A few-shot fine-tune's anchors: A points of the noise space (each noiseDim long) and the spread of the noise around them. */
export interface LatentAnchors {
  points: number[][];
  spread: number;
}

/** The anchor a latent picks: floor(A Phi(z_0)), so each of the A anchors is equally likely. */
export function anchorOf(latent: ArrayLike<number>, anchors: number): number {
  return Math.min(anchors - 1, Math.floor((anchors * (1 + erf(latent[0] / Math.SQRT2))) / 2));
}

const thresholdsMemo = new Map<number, Float32Array>();

/**
 * The A - 1 float32 values where anchorOf steps up: threshold j - 1 is the least float32 z_0 whose
 * anchor is j or more. The kernels compare z_0 with these instead of evaluating Phi in float32
 * (and wasm's Erf is libm's, not 7.1.26), so every backend, and the PyTorch twin, picks
 * anchorOf's anchor even within a few float32 steps of a boundary.
 */
export function anchorThresholds(anchors: number): Float32Array {
  let thresholds = thresholdsMemo.get(anchors);
  if (thresholds == null) {
    thresholds = Float32Array.from({ length: anchors - 1 }, (_, i) => {
      // Bisection on float32 values: anchorOf(low) <= i < anchorOf(high) until the two are neighbours.
      let [low, high] = [-10, 10];
      for (let mid = 0; mid !== low && mid !== high; mid = Math.fround((low + high) / 2)) {
        if (anchorOf([mid], anchors) > i) high = mid;
        else low = mid;
      }
      return high;
    });
    thresholdsMemo.set(anchors, thresholds);
  }
  return thresholds;
}

/** The point a latent's noise spreads around (its anchor, or its component's centre) and the spread: the input is (centre + spread e) / sqrt(2). */
export function latentCentre(latent: ArrayLike<number>, components: number, allowed?: readonly number[], anchors?: LatentAnchors): { centre: ArrayLike<number>; spread: number } {
  if (anchors != null) return { centre: anchors.points[anchorOf(latent, anchors.points.length)], spread: anchors.spread };
  const noiseDim = latent.length - components;
  const k = componentOf(latent, components, allowed);
  return { centre: mixtureCentres(components, noiseDim).subarray(k * noiseDim, (k + 1) * noiseDim), spread: 1 };
}

/** Latents [n, latentDim] -> the network's input [n, latentDim - components]. */
export function mixtureInput(z: tf.Tensor2D, components: number, allowed?: readonly number[], anchors?: LatentAnchors): tf.Tensor2D {
  return tf.tidy(() => {
    const noiseDim = z.shape[1] - components;
    if (anchors != null) {
      const count = anchors.points.length;
      // One anchor: no thresholds, and wasm mis-broadcasts a comparison with an empty tensor.
      const anchor =
        count === 1 ? tf.zeros([z.shape[0]], 'int32') : tf.sum(tf.cast(tf.greaterEqual(tf.slice(z, [0, 0], [-1, 1]), tf.tensor1d(anchorThresholds(count))), 'int32'), 1);
      const points = tf.tensor2d(Float32Array.from(anchors.points.flat()), [count, noiseDim]);
      const noise = tf.mul(tf.slice(z, [0, components], [-1, noiseDim]), anchors.spread);
      return tf.mul(tf.add(tf.gather(points, anchor), noise), Math.SQRT1_2);
    }
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

/** erf by Abramowitz and Stegun 7.1.26 (error under 1.5e-7), as tfjs's cpu, webgl and webgpu Erf kernels: the definition of the anchors' Phi, which the twin computes alike. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return Math.sign(x) * (1 - poly * Math.exp(-x * x));
}
