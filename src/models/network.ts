/** A network is plain data plus a pure function: named weights and apply(params, input). */
import * as tf from '@tensorflow/tfjs-core';
import type { Params, ParamTensors } from '../nn/params';
import { ConfigError } from '../utils/errors';
import type { ArchConfig, OutputRange } from './config';

export interface Network {
  readonly config: ArchConfig;
  readonly role: 'generator' | 'critic';
  readonly params: Params;
  /**
   * Generator: latents [n, latentDim] -> samples [n, ...outputShape].
   * Critic: samples [n, ...outputShape] -> scores [n, 1] (no sigmoid).
   * `labels` (int32 [n], each below config.labels): required by a conditional network
   * (config.labels set), refused by an unconditional one.
   */
  apply(params: ParamTensors, input: tf.Tensor, labels?: tf.Tensor1D): tf.Tensor;
}

/** Maps the generator's last pre-activation into the configured output range. */
export function squash(x: tf.Tensor, range: OutputRange): tf.Tensor {
  if (range === null) return x;
  return range[0] === 0 ? tf.sigmoid(x) : tf.tanh(x);
}

/** Checks an input's trailing shape so a wrong tensor fails with its shape named. */
export function checkInput(input: tf.Tensor, sampleShape: number[], what: string): void {
  const trailing = input.shape.slice(1);
  if (input.rank !== sampleShape.length + 1 || trailing.some((d, i) => d !== sampleShape[i])) {
    throw new ConfigError(`${what} expects input [batch, ${sampleShape.join(', ')}], got [${input.shape.join(', ')}]`, 'data-mismatch');
  }
}

/** Checks that `labels` fit the network: present exactly when it is conditional, int32 [batch]. */
export function checkLabels(labels: tf.Tensor | undefined, input: tf.Tensor, classes: number | undefined, what: string): void {
  if (classes == null) {
    if (labels != null) throw new ConfigError(`${what} is unconditional: it takes no labels, got a [${labels.shape}] label tensor`, 'data-mismatch');
    return;
  }
  if (labels == null) throw new ConfigError(`${what} is conditional (${classes} labels): it needs labels, an int32 tensor [${input.shape[0]}]`, 'data-mismatch');
  if (labels.rank !== 1 || labels.shape[0] !== input.shape[0] || labels.dtype !== 'int32') {
    throw new ConfigError(`${what} expects labels as int32 [${input.shape[0]}] (one per sample), got ${labels.dtype} [${labels.shape}]`, 'data-mismatch');
  }
}
