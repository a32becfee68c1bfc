/**
 * Image datasets from in-memory arrays, N x H x W x C: uint8 (0..255) or float in [0, 1].
 * Batches are drawn with replacement by the trainer's Rng and scaled to the generator's output
 * range ([0, 1] stays, [-1, 1] is 2v - 1; null keeps [0, 1]). The source is kept as is and
 * scaled per batch, so a 60k MNIST array is not copied into floats.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OutputRange } from '../models/config';
import type { Dataset } from './dataset';

export interface ImageArray {
  data: Uint8Array | Float32Array;
  /** [count, height, width, channels] */
  shape: [number, number, number, number];
}

export function imageDataset(images: ImageArray, outputRange: OutputRange, what = 'image array'): Dataset {
  const { data, shape } = images;
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${what}: shape must be [count, height, width, channels] of positive integers, got ${JSON.stringify(shape)}`);
  }
  if (!(data instanceof Uint8Array) && !(data instanceof Float32Array)) {
    throw new TypeError(`${what}: data must be a Uint8Array (0..255) or a Float32Array in [0, 1]`);
  }
  const [count, height, width, channels] = shape;
  const sampleSize = height * width * channels;
  if (data.length !== count * sampleSize) {
    throw new Error(`${what}: shape [${shape}] needs ${count * sampleSize} values, the data has ${data.length}`);
  }
  if (data instanceof Float32Array) {
    const bad = data.findIndex((v) => !(v >= 0 && v <= 1));
    if (bad >= 0) throw new Error(`${what}: float images must lie in [0, 1]; value ${data[bad]} at index ${bad} (image ${Math.floor(bad / sampleSize)})`);
  }
  const toUnit = data instanceof Uint8Array ? 1 / 255 : 1;
  const [scale, offset] = outputRange !== null && outputRange[0] === -1 ? [2 * toUnit, -1] : [toUnit, 0];
  return {
    sampleShape: [height, width, channels],
    next(batchSize, rng) {
      const batch = new Float32Array(batchSize * sampleSize);
      for (let i = 0; i < batchSize; i++) {
        const start = rng.int(count) * sampleSize;
        for (let j = 0; j < sampleSize; j++) batch[i * sampleSize + j] = data[start + j] * scale + offset;
      }
      return tf.tensor4d(batch, [batchSize, height, width, channels]);
    },
  };
}
