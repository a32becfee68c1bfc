/**
 * The standard GAN (Goodfellow 2014) on logits, with sigmoid folded into the loss:
 * -log sigmoid(s) = softplus(-s) and -log(1 - sigmoid(s)) = softplus(s), stable for any s.
 * Critic: -E[log sigmoid(D(x))] - E[log(1 - sigmoid(D(G(z))))].
 * Generator: non-saturating -E[log sigmoid(D(G(z)))] (default), or minimax E[log(1 - sigmoid(D(G(z))))].
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LossModule } from './loss';
import { baseSettings } from './settings';

export const ganLoss: LossModule = {
  name: 'gan',
  /** DCGAN's settings: Adam lr 2e-4, beta1 0.5 (beta2 stays Adam's 0.999), one critic step. */
  defaults: (archKind) => ({ ...baseSettings(archKind), learningRate: 2e-4, beta1: 0.5, beta2: 0.999, nCritic: 1 }),
  criticLoss: (real, fake) => tf.add(tf.mean(tf.softplus(tf.neg(real))), tf.mean(tf.softplus(fake))) as tf.Scalar,
  generatorLoss: (fake, settings) =>
    (settings.ganForm === 'minimax'
      ? tf.neg(tf.mean(tf.softplus(fake)))
      : tf.mean(tf.softplus(tf.neg(fake)))) as tf.Scalar,
};
