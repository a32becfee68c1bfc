/**
 * Training settings: one flat, JSON-serialisable record per run. Each loss module gives its
 * defaults (the papers' values); a trainer config overrides any field.
 */
import type { ArchKind } from '../models/config';
import { ConfigError } from '../utils/errors';

export type LossName = 'gan' | 'wgan' | 'wgan-gp' | 'wgan-c';
export const LOSS_NAMES: readonly LossName[] = ['gan', 'wgan', 'wgan-gp', 'wgan-c'];

/** The WGAN authors' critic warm-up: `criticSteps` per generator step early and periodically. */
export interface CriticWarmup {
  criticSteps: number;
  /** Generator steps 0 .. firstGeneratorSteps - 1 use the warm-up. */
  firstGeneratorSteps: number;
  /** And every generator step that is a multiple of this. */
  every: number;
}

/** WGAN-C's curriculum over a mixture of critics of rising width (see wgan_c.ts). */
export interface Curriculum {
  /** Number of critics; critic i has width 2^(i - critics + 1) times the architecture's. */
  critics: number;
  schedule: 'linear' | 'step';
  /** Generator steps over which the weight moves from the first critic to the last. */
  steps: number;
  /** 'step' only: share of each stage spent fading into the next critic (1 = linear). */
  fade: number;
}

/** The learning rate falls linearly from learningRate at generator step `start` to 0 at `end`. */
export interface LearningRateDecay {
  start: number;
  end: number;
}

export interface TrainSettings {
  batchSize: number;
  optimizer: 'adam' | 'rmsprop';
  learningRate: number;
  /** Adam's moment decays. */
  beta1: number;
  beta2: number;
  /** RMSProp's squared-gradient decay (PyTorch's alpha). */
  rmsDecay: number;
  /** Added to the optimizers' denominators. */
  epsilon: number;
  /** Critic updates per generator update. */
  nCritic: number;
  criticWarmup: CriticWarmup | null;
  /** Clip every critic weight to [-clip, clip] after each critic update (WGAN); null: never. */
  clip: number | null;
  /** Gradient penalty coefficient; 0: no penalty. */
  lambda: number;
  /** Generator loss of the standard GAN. */
  ganForm: 'non-saturating' | 'minimax';
  curriculum: Curriculum | null;
  /** Decay of an exponential moving average of the generator's weights; null: none. */
  emaDecay: number | null;
  /** The WGAN-GP authors' DECAY (lr x (1 - step / ITERS)) over steps start..end; null: a constant rate. */
  learningRateDecay: LearningRateDecay | null;
}

/** Defaults shared by every loss: Adam, no clipping, no penalty, no EMA. */
export function baseSettings(archKind: ArchKind): TrainSettings {
  return {
    batchSize: BATCH_SIZE[archKind],
    optimizer: 'adam',
    learningRate: 1e-4,
    beta1: 0.5,
    beta2: 0.9,
    rmsDecay: 0.99,
    epsilon: 1e-8,
    nCritic: 5,
    criticWarmup: null,
    clip: null,
    lambda: 0,
    ganForm: 'non-saturating',
    curriculum: null,
    emaDecay: null,
    learningRateDecay: null,
  };
}

/** The WGAN-GP authors' batch sizes: gan_toy.py 256, gan_mnist.py 50, gan_cifar.py 64. */
const BATCH_SIZE: Record<ArchKind, number> = { mlp: 256, dcgan28: 50, dcgan32: 64 };

/** Throws an error naming the first bad field. */
export function validateSettings(s: TrainSettings): TrainSettings {
  const bad = (field: string, want: string) =>
    new ConfigError(
      `training settings: ${field} must be ${want}, got ${JSON.stringify((s as unknown as Record<string, unknown>)[field])}`,
      'bad-settings',
    );
  const positiveInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
  const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const unitOpen = (v: unknown) => typeof v === 'number' && v >= 0 && v < 1;
  if (!positiveInt(s.batchSize)) throw bad('batchSize', 'a positive integer');
  if (s.optimizer !== 'adam' && s.optimizer !== 'rmsprop') throw bad('optimizer', "'adam' or 'rmsprop'");
  if (!positive(s.learningRate)) throw bad('learningRate', 'a positive number');
  if (!unitOpen(s.beta1)) throw bad('beta1', 'in [0, 1)');
  if (!unitOpen(s.beta2)) throw bad('beta2', 'in [0, 1)');
  if (!unitOpen(s.rmsDecay)) throw bad('rmsDecay', 'in [0, 1)');
  if (!positive(s.epsilon)) throw bad('epsilon', 'a positive number');
  if (!positiveInt(s.nCritic)) throw bad('nCritic', 'a positive integer');
  const w = s.criticWarmup;
  if (
    w !== null &&
    !(
      w != null &&
      positiveInt(w.criticSteps) &&
      Number.isInteger(w.firstGeneratorSteps) &&
      w.firstGeneratorSteps >= 0 &&
      positiveInt(w.every)
    )
  ) {
    throw bad('criticWarmup', 'null or { criticSteps >= 1, firstGeneratorSteps >= 0, every >= 1 }');
  }
  if (s.clip !== null && !positive(s.clip)) throw bad('clip', 'null or a positive number');
  if (!(typeof s.lambda === 'number' && Number.isFinite(s.lambda) && s.lambda >= 0))
    throw bad('lambda', 'a number >= 0');
  if (s.ganForm !== 'non-saturating' && s.ganForm !== 'minimax') throw bad('ganForm', "'non-saturating' or 'minimax'");
  const c = s.curriculum;
  if (c !== null) {
    const ok =
      c != null &&
      Number.isInteger(c.critics) &&
      c.critics >= 2 &&
      (c.schedule === 'linear' || c.schedule === 'step') &&
      positiveInt(c.steps) &&
      typeof c.fade === 'number' &&
      c.fade > 0 &&
      c.fade <= 1;
    if (!ok)
      throw bad('curriculum', "null or { critics >= 2, schedule 'linear' | 'step', steps >= 1, fade in (0, 1] }");
  }
  if (s.emaDecay !== null && !unitOpen(s.emaDecay)) throw bad('emaDecay', 'null or in [0, 1)');
  const d = s.learningRateDecay;
  if (
    d !== null &&
    !(d != null && Number.isInteger(d.start) && d.start >= 0 && Number.isInteger(d.end) && d.end > d.start)
  ) {
    throw bad('learningRateDecay', 'null or { start >= 0, end > start } (integers)');
  }
  return s;
}
