/**
 * Image datasets from in-memory arrays, N x H x W x C: uint8 (0..255) or float in [0, 1].
 * Batches are drawn with replacement by the trainer's Rng and scaled to the generator's output
 * range ([0, 1] stays, [-1, 1] is 2v - 1; null keeps [0, 1]). The source is kept as is and
 * scaled per batch, so a 60k MNIST array is not copied into floats.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OutputRange } from '../models/config';
import { ConfigError } from '../utils/errors';
import type { Rng } from '../utils/rng';
import type { Dataset } from './dataset';

export interface ImageArray {
  data: Uint8Array | Float32Array;
  /** [count, height, width, channels] */
  shape: [number, number, number, number];
}

/** Each image's class, in the images' order, and how many classes there are. */
export interface ImageLabels {
  values: Uint8Array | Int32Array;
  classes: number;
}

/** With `labels`, the dataset is labelled (Dataset.labelled): a conditional trainer draws images with their classes. */
export function imageDataset(
  images: ImageArray,
  outputRange: OutputRange,
  what = 'image array',
  labels?: ImageLabels,
): Dataset {
  const { data, shape } = images;
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ConfigError(
      `${what}: shape must be [count, height, width, channels] of positive integers, got ${JSON.stringify(shape)}`,
      'bad-data',
    );
  }
  if (!(data instanceof Uint8Array) && !(data instanceof Float32Array)) {
    throw new ConfigError(`${what}: data must be a Uint8Array (0..255) or a Float32Array in [0, 1]`, 'bad-data');
  }
  const [count, height, width, channels] = shape;
  const sampleSize = height * width * channels;
  if (data.length !== count * sampleSize) {
    throw new ConfigError(
      `${what}: shape [${shape}] needs ${count * sampleSize} values, the data has ${data.length}`,
      'bad-data',
    );
  }
  if (data instanceof Float32Array) {
    const bad = data.findIndex((v) => !(v >= 0 && v <= 1));
    if (bad >= 0)
      throw new ConfigError(
        `${what}: float images must lie in [0, 1]; value ${data[bad]} at index ${bad} (image ${Math.floor(bad / sampleSize)})`,
        'bad-data',
      );
  }
  const toUnit = data instanceof Uint8Array ? 1 / 255 : 1;
  const [scale, offset] = outputRange !== null && outputRange[0] === -1 ? [2 * toUnit, -1] : [toUnit, 0];
  if (labels != null) checkLabels(labels, count, what);
  /** Draws batchSize images (with replacement) and their indices. */
  const draw = (batchSize: number, rng: Rng) => {
    const batch = new Float32Array(batchSize * sampleSize);
    const indices = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) {
      indices[i] = rng.int(count);
      const start = indices[i] * sampleSize;
      for (let j = 0; j < sampleSize; j++) batch[i * sampleSize + j] = data[start + j] * scale + offset;
    }
    return { samples: tf.tensor4d(batch, [batchSize, height, width, channels]), indices };
  };
  const labelsAt = (indices: Int32Array) =>
    tf.tensor1d(
      Int32Array.from(indices, (i) => labels!.values[i]),
      'int32',
    );
  return {
    sampleShape: [height, width, channels],
    next: (batchSize, rng) => draw(batchSize, rng).samples,
    ...(labels != null && {
      labelled: {
        classes: labels.classes,
        nextLabelled(batchSize, rng) {
          const { samples, indices } = draw(batchSize, rng);
          return { samples, labels: labelsAt(indices) };
        },
        nextLabels: (batchSize, rng) => labelsAt(Int32Array.from({ length: batchSize }, () => rng.int(count))),
      },
    }),
  };
}

function checkLabels({ values, classes }: ImageLabels, count: number, what: string): void {
  if (!Number.isInteger(classes) || classes < 2)
    throw new ConfigError(
      `${what}: labels.classes must be an integer >= 2, got ${JSON.stringify(classes)}`,
      'bad-data',
    );
  if (!(values instanceof Uint8Array) && !(values instanceof Int32Array))
    throw new ConfigError(`${what}: labels.values must be a Uint8Array or Int32Array`, 'bad-data');
  if (values.length !== count)
    throw new ConfigError(`${what}: ${count} images but ${values.length} labels`, 'bad-data');
  const bad = values.findIndex((l) => !(l >= 0 && l < classes));
  if (bad >= 0)
    throw new ConfigError(`${what}: label ${values[bad]} of image ${bad} is outside 0..${classes - 1}`, 'bad-data');
}
