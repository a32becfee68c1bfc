/** The loss registry and the critic objective every loss shares (its loss plus any penalty). */
import * as tf from '@tensorflow/tfjs-core';
import type { ArchKind } from '../models/config';
import { ConfigError } from '../utils/errors';
import { ganLoss } from './gan';
import type { LossModule } from './loss';
import { gradientPenalty } from './penalty';
import { LOSS_NAMES, validateSettings, type LossName, type TrainSettings } from './settings';
import { wganLoss } from './wgan';
import { wganCLoss } from './wgan_c';
import { wganGpLoss } from './wgan_gp';

export const LOSSES: Record<LossName, LossModule> = {
  gan: ganLoss,
  wgan: wganLoss,
  'wgan-gp': wganGpLoss,
  'wgan-c': wganCLoss,
};

export function lossModule(name: LossName): LossModule {
  if (!LOSS_NAMES.includes(name))
    throw new ConfigError(`unknown loss '${String(name)}': use one of ${LOSS_NAMES.join(', ')}`, 'unknown-loss');
  return LOSSES[name];
}

/** The settings a run of `loss` on an `archKind` network starts from. */
export function defaultsFor(loss: LossName, archKind: ArchKind): TrainSettings {
  return validateSettings(lossModule(loss).defaults(archKind));
}

export interface CriticTerms {
  /** What the critic minimises: its loss + lambda * penalty. */
  loss: tf.Scalar;
  /** E[D(x)] - E[D(G(z))]. */
  wasserstein: tf.Scalar;
  /** The gradient penalty before lambda (0 when lambda is 0). */
  penalty: tf.Scalar;
}

export function criticTerms(
  loss: LossModule,
  critic: (x: tf.Tensor) => tf.Tensor,
  real: tf.Tensor,
  fake: tf.Tensor,
  settings: TrainSettings,
  penaltySeed: number,
): CriticTerms {
  const realScores = tf.reshape(critic(real), [-1]) as tf.Tensor1D;
  const fakeScores = tf.reshape(critic(fake), [-1]) as tf.Tensor1D;
  const base = loss.criticLoss(realScores, fakeScores, settings);
  const wasserstein = tf.sub(tf.mean(realScores), tf.mean(fakeScores)) as tf.Scalar;
  if (settings.lambda === 0) return { loss: base, wasserstein, penalty: tf.scalar(0) };
  const penalty = gradientPenalty(critic, real, fake, penaltySeed);
  return { loss: tf.add(base, tf.mul(penalty, settings.lambda)), wasserstein, penalty };
}

export function generatorLoss(
  loss: LossModule,
  critic: (x: tf.Tensor) => tf.Tensor,
  fake: tf.Tensor,
  settings: TrainSettings,
): tf.Scalar {
  return loss.generatorLoss(tf.reshape(critic(fake), [-1]) as tf.Tensor1D, settings);
}
