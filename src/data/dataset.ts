/** What the trainer draws real samples from. */
import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../utils/rng';

export interface Dataset {
  /** One sample's shape, e.g. [2] or [28, 28, 1]; must equal the architecture's outputShape. */
  readonly sampleShape: number[];
  /**
   * A batch [batchSize, ...sampleShape] in the generator's output range. All randomness comes
   * from `rng` (the trainer's, saved in checkpoints), so runs and resumes are reproducible.
   */
  next(batchSize: number, rng: Rng): tf.Tensor;
}
