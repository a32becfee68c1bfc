/**
 * The WGAN-GP gradient penalty: E[(||grad_xhat D(xhat)||_2 - 1)^2] with
 * xhat = eps x + (1 - eps) G(z), eps ~ U[0, 1] drawn per sample. The norm runs over all of one
 * sample's dimensions; two-sided (deviations above and below 1 both cost). Its gradient with
 * respect to the critic's weights is a second-order one (double backprop).
 */
import * as tf from '@tensorflow/tfjs-core';
import { tfSeed } from '../utils/rng';

/**
 * Added under the square root: its gradient is infinite at 0, and a critic that is flat at
 * xhat (all ReLUs off) would otherwise turn the update into NaN. Shifts a norm of 1 by 5e-13.
 */
const NORM_EPSILON = 1e-12;

/** Per-sample norms of d(sum D)/dx at `x`: [m]. Samples do not interact in the critic. */
export function inputGradientNorms(critic: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): tf.Tensor1D {
  const gradient = tf.grad((input: tf.Tensor) => tf.sum(critic(input)))(x);
  const sampleAxes = x.shape.slice(1).map((_, i) => i + 1);
  return tf.sqrt(tf.add(tf.sum(tf.square(gradient), sampleAxes), NORM_EPSILON)) as tf.Tensor1D;
}

/** Random points on the lines between real and fake samples, one eps per sample. */
export function interpolate(real: tf.Tensor, fake: tf.Tensor, seed: number): tf.Tensor {
  if (real.shape.join() !== fake.shape.join()) {
    throw new Error(`gradient penalty: real [${real.shape}] and fake [${fake.shape}] batches differ in shape`);
  }
  const epsShape = [real.shape[0], ...real.shape.slice(1).map(() => 1)];
  const eps = tf.randomUniform(epsShape, 0, 1, 'float32', tfSeed(seed));
  return tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake));
}

export function gradientPenalty(
  critic: (x: tf.Tensor) => tf.Tensor,
  real: tf.Tensor,
  fake: tf.Tensor,
  seed: number,
): tf.Scalar {
  const norms = inputGradientNorms(critic, interpolate(real, fake, seed));
  return tf.mean(tf.square(tf.sub(norms, 1)));
}
