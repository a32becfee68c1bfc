/**
 * WGAN-GP (Gulrajani et al. 2017): the WGAN losses, with the Lipschitz bound kept by a gradient
 * penalty (penalty.ts) instead of clipping. lambda 10 (0.1 in the authors' toy script), Adam
 * lr 1e-4 with betas (0.5, 0.9) as in the authors' scripts, 5 critic steps.
 */
import type { ArchKind } from '../models/config';
import type { LossModule } from './loss';
import { baseSettings, type TrainSettings } from './settings';
import { wassersteinCriticLoss, wassersteinGeneratorLoss } from './wgan';

/** The paper's penalty coefficient. */
export const GP_LAMBDA = 10;
/** gan_toy.py's coefficient for the 2-D sets ("smaller lambda seems to help for toy tasks"). */
export const GP_LAMBDA_TOY = 0.1;

/**
 * Tuned here for the 2-D sets: 20x the paper's rate finds all 8 modes of 8gaussians by step
 * 750 (83% of samples within 3 std by step 2000; 25gaussians: 25 modes by step 2200), and an
 * average of the generator's weights (sample from trainer.emaGenerator) takes out the jitter
 * of that rate, which decides the 3-std quality.
 */
export const GP_TOY_LEARNING_RATE = 2e-3;
export const GP_TOY_EMA_DECAY = 0.99;

export function wganGpDefaults(archKind: ArchKind): TrainSettings {
  const base = baseSettings(archKind);
  if (archKind !== 'mlp') return { ...base, lambda: GP_LAMBDA };
  return { ...base, lambda: GP_LAMBDA_TOY, learningRate: GP_TOY_LEARNING_RATE, emaDecay: GP_TOY_EMA_DECAY };
}

export const wganGpLoss: LossModule = {
  name: 'wgan-gp',
  defaults: wganGpDefaults,
  criticLoss: wassersteinCriticLoss,
  generatorLoss: wassersteinGeneratorLoss,
};
