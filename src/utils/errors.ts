/**
 * ConfigError: a setting, a request or an argument that cannot be used, named by a code a
 * program can act on (the message says what was wrong and what is allowed). Thrown by every
 * validation path of the library (architectures, training settings, trainer states, data,
 * sampling requests, weights, metric inputs); it keeps its class and code across the worker
 * boundary (runtime/errors.ts). Broken invariants inside the library stay plain Errors.
 */

/** What a fine-tune's input got wrong (FineTuneInputError, a ConfigError). */
export type FineTuneInputCode =
  'too-few-images' | 'not-an-image' | 'image-shape' | 'background' | 'no-critic' | 'not-conditional' | 'bad-option';

export type ConfigErrorCode =
  /** An architecture config (models/config.ts) of an unknown kind or with a field out of range. */
  | 'bad-arch'
  /** Training settings out of range, an unknown setting, or settings that do not fit the run. */
  | 'bad-settings'
  /** A loss name that is not one of LOSS_NAMES. */
  | 'unknown-loss'
  /** A data set or images of the wrong type, shape or range, or an unknown toy set. */
  | 'bad-data'
  /** Data (or a network's input) and the networks disagree: sample shape, labels. */
  | 'data-mismatch'
  /** A trainer state (or optimizer or RNG state) that is malformed, or another run's. */
  | 'bad-state'
  /** Named weight arrays that do not fit the network. */
  | 'bad-weights'
  /** Sampling: the number of samples. */
  | 'bad-n'
  /** Sampling: a seed that is not an integer in [0, 2^32). */
  | 'bad-seed'
  /** Sampling: a truncation below the minimum. */
  | 'bad-truncation'
  /** Sampling: a label the model does not have, or labels of the wrong count. */
  | 'bad-label'
  /** Sampling: latents of the wrong size. */
  | 'bad-latents'
  /** Sampling: an unknown format, or one the model's output cannot take. */
  | 'bad-format'
  /** Interpolation or a run: a step count out of range. */
  | 'bad-steps'
  /** Interpolation: a path other than 'slerp' or 'lerp'. */
  | 'bad-path'
  /** A metric's inputs of the wrong size, count or range. */
  | 'bad-metric-input'
  /** An argument of the wrong type (a generator, a model name, a URL, a data split). */
  | 'bad-argument'
  | FineTuneInputCode;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly code: ConfigErrorCode,
  ) {
    super(message);
  }
}
