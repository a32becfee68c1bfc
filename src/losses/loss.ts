/** What a loss module provides: its defaults and its two objectives, on critic scores. */
import type * as tf from '@tensorflow/tfjs-core';
import type { ArchKind } from '../models/config';
import type { LossName, TrainSettings } from './settings';

export interface LossModule {
  readonly name: LossName;
  defaults(archKind: ArchKind): TrainSettings;
  /** The critic's loss without any gradient penalty; scores are [m] (real) and [m] (fake). */
  criticLoss(realScores: tf.Tensor1D, fakeScores: tf.Tensor1D, settings: TrainSettings): tf.Scalar;
  /** The generator's loss from the critic's scores of generated samples. */
  generatorLoss(fakeScores: tf.Tensor1D, settings: TrainSettings): tf.Scalar;
}
