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
  /** A labelled set's labels: what a conditional trainer needs. Absent: unlabelled. */
  readonly labelled?: LabelledParts;
}

/** The labelled side of a dataset: classes 0..classes-1. */
export interface LabelledParts {
  /** How many classes (>= 2): a conditional architecture's `labels` must equal it. */
  readonly classes: number;
  /** A batch as `next` draws it, with each sample's label (int32 [batchSize]). */
  nextLabelled(batchSize: number, rng: Rng): { samples: tf.Tensor; labels: tf.Tensor1D };
  /** Labels alone, drawn from the data's own label distribution (int32 [batchSize]). */
  nextLabels(batchSize: number, rng: Rng): tf.Tensor1D;
}
