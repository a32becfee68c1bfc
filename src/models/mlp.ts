/** The fully connected pair for vector data (the WGAN-GP authors' toy nets, width/depth configurable). */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamBuilder } from '../nn/init';
import { defineDense, dense, defineLayerNorm, layerNorm } from '../nn/layers';
import type { ParamTensors } from '../nn/params';
import { sampleSize, type MlpArch } from './config';
import { squash } from './network';

export function defineMlpGenerator(c: MlpArch, b: ParamBuilder): void {
  let inputs = c.latentDim;
  for (let i = 0; i < c.depth; i++) {
    defineDense(b, `dense${i}`, inputs, c.hidden, 'he');
    inputs = c.hidden;
  }
  defineDense(b, 'output', inputs, sampleSize(c), 'glorot');
}

export function mlpGenerator(c: MlpArch, p: ParamTensors, z: tf.Tensor): tf.Tensor {
  let h = z;
  for (let i = 0; i < c.depth; i++) h = tf.relu(dense(p, `dense${i}`, h));
  const out = squash(dense(p, 'output', h), c.outputRange);
  return tf.reshape(out, [z.shape[0], ...c.outputShape]);
}

export function defineMlpCritic(c: MlpArch, b: ParamBuilder): void {
  let inputs = sampleSize(c);
  for (let i = 0; i < c.depth; i++) {
    defineDense(b, `dense${i}`, inputs, c.hidden, 'he');
    if (c.criticNorm === 'layer') defineLayerNorm(b, `norm${i}`, c.hidden);
    inputs = c.hidden;
  }
  defineDense(b, 'output', inputs, 1, 'glorot');
}

/** The critic up to its 'output' layer: the last hidden units [n, hidden]. */
export function mlpCriticFeatures(c: MlpArch, p: ParamTensors, x: tf.Tensor): tf.Tensor2D {
  let h: tf.Tensor = tf.reshape(x, [x.shape[0], sampleSize(c)]);
  for (let i = 0; i < c.depth; i++) {
    h = dense(p, `dense${i}`, h);
    if (c.criticNorm === 'layer') h = layerNorm(p, `norm${i}`, h);
    h = tf.relu(h);
  }
  return h as tf.Tensor2D;
}
