/**
 * WGAN-C, curriculum GANs (Sharma, Barratt, Ermon, Pande 2018): the critic is a convex mixture
 * f(x) = sum_i w_i f_i(x) of critics of rising capacity, and a schedule (not learning) moves the
 * weight from the weakest to the strongest, so the generator faces a harder critic over time.
 * Losses and penalty are WGAN-GP's, the penalty taken on the mixture f.
 *
 * Choices (the paper's exact schedule is not confirmed):
 * - Capacity is width: critic i of K has 2^(i - K + 1) times the architecture's width (hidden
 *   units or DIM), so the last is the full network and each is half the next.
 * - The weight walks along the chain of critics: at any step at most two neighbours hold it,
 *   w_k = 1 - a and w_(k+1) = a, never a blend of distant critics.
 * - 'linear': a rises steadily over the whole `steps` (K - 1 equal stages).
 * - 'step': each stage holds critic k alone for (1 - fade) of the stage, then fades linearly
 *   into k + 1 over the last `fade` of it, as progressive growing (PGGAN) fades in new
 *   resolutions; fade 1 is 'linear'. Default fade 0.5: equal hold and fade, as in PGGAN.
 * - After `steps` the last critic holds all the weight.
 * - Every critic is trained through the mixture (its gradient scaled by its weight); critics
 *   with zero weight are not evaluated, so they and their optimiser slots stay as they are.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createCritic } from '../models';
import { scaleWidth, type ArchConfig, type ArchKind } from '../models/config';
import type { Network } from '../models/network';
import type { Params, ParamTensors } from '../nn/params';
import { Rng } from '../utils/rng';
import type { LossModule } from './loss';
import type { Curriculum, TrainSettings } from './settings';
import { wassersteinCriticLoss, wassersteinGeneratorLoss } from './wgan';
import { wganGpDefaults } from './wgan_gp';

/** Three critics: quarter, half and full width. */
export const CURRICULUM_CRITICS = 3;
export const CURRICULUM_FADE = 0.5;
/** Generator steps for the whole curriculum, about the first half of a run of the defaults. */
export const CURRICULUM_STEPS: Record<ArchKind, number> = { mlp: 1000, dcgan28: 10000, dcgan32: 20000 };

export function wganCDefaults(archKind: ArchKind): TrainSettings {
  return {
    ...wganGpDefaults(archKind),
    curriculum: {
      critics: CURRICULUM_CRITICS,
      schedule: 'step',
      steps: CURRICULUM_STEPS[archKind],
      fade: CURRICULUM_FADE,
    },
  };
}

export const wganCLoss: LossModule = {
  name: 'wgan-c',
  defaults: wganCDefaults,
  criticLoss: wassersteinCriticLoss,
  generatorLoss: wassersteinGeneratorLoss,
};

/** The mixture weights at generator step `generatorStep` (from 0): K numbers >= 0 summing to 1. */
export function mixtureWeights(curriculum: Curriculum, generatorStep: number): number[] {
  const stages = curriculum.critics - 1;
  const position = Math.min(generatorStep / curriculum.steps, 1) * stages;
  const stage = Math.min(Math.floor(position), stages);
  const weights = new Array<number>(curriculum.critics).fill(0);
  if (stage === stages) {
    weights[stages] = 1;
    return weights;
  }
  const fade = curriculum.schedule === 'linear' ? 1 : curriculum.fade;
  const within = position - stage;
  const moved = Math.max(0, (within - (1 - fade)) / fade);
  weights[stage] = 1 - moved;
  weights[stage + 1] = moved;
  return weights;
}

export interface MixtureCritic {
  /** The critics from weakest to strongest; their weights are views of `params`. */
  readonly members: Network[];
  /** All members' weights, named 'critic<i>/<layer name>'. */
  readonly params: Params;
  /** Scores [n, 1] of the mixture with these weights (one per member); `labels` as Network.apply. */
  apply(params: ParamTensors, x: tf.Tensor, weights: number[], labels?: tf.Tensor1D): tf.Tensor;
}

export function createMixtureCritic(arch: ArchConfig, critics: number, seed: number): MixtureCritic {
  const rng = new Rng(seed);
  const members = Array.from({ length: critics }, (_, i) =>
    createCritic(scaleWidth(arch, 2 ** (i - critics + 1)), rng.seed()),
  );
  const params: Params = {};
  members.forEach((member, i) => {
    for (const [name, v] of Object.entries(member.params)) params[`critic${i}/${name}`] = v;
  });
  const memberView = (p: ParamTensors, i: number): ParamTensors =>
    Object.fromEntries(Object.keys(members[i].params).map((name) => [name, p[`critic${i}/${name}`]]));
  return {
    members,
    params,
    apply(p, x, weights, labels) {
      if (weights.length !== critics)
        throw new Error(`mixture critic: ${critics} critics, ${weights.length} weights given`);
      const terms = members.flatMap((member, i) =>
        weights[i] > 0 ? [tf.mul(member.apply(memberView(p, i), x, labels), weights[i])] : [],
      );
      if (terms.length === 0) throw new Error(`mixture critic: all weights are zero (${weights})`);
      return terms.length === 1 ? terms[0] : tf.addN(terms);
    },
  };
}
