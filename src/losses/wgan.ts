/**
 * WGAN (Arjovsky, Chintala, Bottou 2017). The critic maximises W = E[D(x)] - E[D(G(z))], an
 * estimate of the Wasserstein-1 distance, under a Lipschitz bound kept by clipping its weights
 * to [-0.01, 0.01] after every update. Critic loss -W, generator loss -E[D(G(z))].
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LossModule } from './loss';
import { baseSettings, type TrainSettings } from './settings';

/** The paper's clipping bound. */
export const WGAN_CLIP = 0.01;
/** The paper's RMSProp learning rate (momentum-based optimisers destabilised training). */
export const WGAN_LEARNING_RATE = 5e-5;
/** The authors' code: 100 critic steps per generator step for the first 25 and every 500th. */
export const WGAN_CRITIC_WARMUP = { criticSteps: 100, firstGeneratorSteps: 25, every: 500 };

export const wassersteinCriticLoss = (real: tf.Tensor1D, fake: tf.Tensor1D): tf.Scalar =>
  tf.sub(tf.mean(fake), tf.mean(real)) as tf.Scalar;
export const wassersteinGeneratorLoss = (fake: tf.Tensor1D): tf.Scalar => tf.neg(tf.mean(fake)) as tf.Scalar;

export const wganLoss: LossModule = {
  name: 'wgan',
  defaults: (archKind) => ({
    ...baseSettings(archKind),
    optimizer: 'rmsprop',
    learningRate: WGAN_LEARNING_RATE,
    clip: WGAN_CLIP,
    criticWarmup: { ...WGAN_CRITIC_WARMUP },
  }),
  criticLoss: wassersteinCriticLoss,
  generatorLoss: wassersteinGeneratorLoss,
};

/** Critic updates in generator step `generatorStep` (counted from 0). */
export function criticStepsAt(generatorStep: number, settings: TrainSettings): number {
  const w = settings.criticWarmup;
  if (w !== null && (generatorStep < w.firstGeneratorSteps || generatorStep % w.every === 0)) return w.criticSteps;
  return settings.nCritic;
}
