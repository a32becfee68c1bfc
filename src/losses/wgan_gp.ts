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

export function wganGpDefaults(archKind: ArchKind): TrainSettings {
  return { ...baseSettings(archKind), lambda: archKind === 'mlp' ? GP_LAMBDA_TOY : GP_LAMBDA };
}

export const wganGpLoss: LossModule = {
  name: 'wgan-gp',
  defaults: wganGpDefaults,
  criticLoss: wassersteinCriticLoss,
  generatorLoss: wassersteinGeneratorLoss,
};
