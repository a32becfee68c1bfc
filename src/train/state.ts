/**
 * The trainer's checkpoint: a plain, structured-clonable object (postMessage, IndexedDB, or
 * JSON once the Float32Arrays are encoded). Everything a run depends on is in it, so a
 * trainer restored from it continues bit for bit as if it had never stopped.
 */
import type { LossName, TrainSettings } from '../losses/settings';
import type { ArchConfig } from '../models/config';
import type { NamedArrays } from '../nn/params';
import { ConfigError } from '../utils/errors';
import type { RngState } from '../utils/rng';
import type { OptimizerState } from './optimizers';

export const TRAINER_STATE_FORMAT = 'wgan-edge/trainer-state';
export const TRAINER_STATE_VERSION = 1;

export interface TrainerState {
  format: typeof TRAINER_STATE_FORMAT;
  version: typeof TRAINER_STATE_VERSION;
  loss: LossName;
  arch: ArchConfig;
  /** The resolved settings (defaults plus overrides). */
  settings: TrainSettings;
  /** The seed the run started from (kept for provenance; the RNG state is what resumes). */
  seed: number;
  /** Generator steps done. */
  step: number;
  rng: RngState;
  generator: NamedArrays;
  critic: NamedArrays;
  /** The generator's moving average, when settings.emaDecay is set. */
  ema: NamedArrays | null;
  generatorOptimizer: OptimizerState;
  criticOptimizer: OptimizerState;
}

/** Checks the envelope of a state; the arrays are checked against the networks on restore. */
export function checkStateEnvelope(state: TrainerState): void {
  if (state == null || typeof state !== 'object')
    throw new ConfigError(`trainer state must be an object, got ${String(state)}`, 'bad-state');
  if (state.format !== TRAINER_STATE_FORMAT) {
    throw new ConfigError(
      `trainer state: format is ${JSON.stringify(state.format)}, expected '${TRAINER_STATE_FORMAT}'`,
      'bad-state',
    );
  }
  if (state.version !== TRAINER_STATE_VERSION) {
    throw new ConfigError(
      `trainer state: version ${JSON.stringify(state.version)} is not supported (this build reads version ${TRAINER_STATE_VERSION})`,
      'bad-state',
    );
  }
  if (state.settings == null || typeof state.settings !== 'object')
    throw new ConfigError(
      `trainer state: settings must be an object, got ${JSON.stringify(state.settings)}`,
      'bad-state',
    );
  if (!Number.isInteger(state.step) || state.step < 0)
    throw new ConfigError(
      `trainer state: step must be an integer >= 0, got ${JSON.stringify(state.step)}`,
      'bad-state',
    );
}

/**
 * A state's settings, with those added since version 1 was first written at the values that
 * kept the old behaviour (a checkpoint of an older build resumes as it would have).
 */
export function settingsOf(state: TrainerState): TrainSettings {
  return { ...state.settings, learningRateDecay: state.settings.learningRateDecay ?? null };
}
