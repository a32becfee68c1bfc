/**
 * Layers as plain functions over a parameter record. Only ops whose first- and second-order
 * gradients the gradient layer handles: matMul, add, conv2d, conv2dTranspose, relu, leakyRelu,
 * slice, reshape, concat and the arithmetic of layer norm (no tf.fused.*, no tf.moments). Labels
 * enter as one-hot constants, which no gradient flows back into.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamBuilder, Init } from './init';
import type { ParamTensors } from './params';

/** Layer norm's variance floor, as in the WGAN-GP authors' code (tf.nn.batch_normalization). */
const LAYER_NORM_EPSILON = 1e-5;

export function defineDense(b: ParamBuilder, name: string, inputs: number, units: number, init: Init): void {
  b.weight(`${name}/kernel`, [inputs, units], inputs, units, init);
  b.bias(`${name}/bias`, [units], inputs, init);
}

export function dense(p: ParamTensors, name: string, x: tf.Tensor): tf.Tensor2D {
  return tf.add(tf.matMul(x as tf.Tensor2D, p[`${name}/kernel`] as tf.Tensor2D), p[`${name}/bias`]);
}

export function defineConv(
  b: ParamBuilder,
  name: string,
  size: number,
  inChannels: number,
  outChannels: number,
  init: Init,
): void {
  const fanIn = size * size * inChannels;
  b.weight(`${name}/kernel`, [size, size, inChannels, outChannels], fanIn, size * size * outChannels, init);
  b.bias(`${name}/bias`, [outChannels], fanIn, init);
}

/** 'same'-padded convolution with the given stride. */
export function conv(p: ParamTensors, name: string, x: tf.Tensor4D, stride: number): tf.Tensor4D {
  return tf.add(tf.conv2d(x, p[`${name}/kernel`] as tf.Tensor4D, stride, 'same'), p[`${name}/bias`]);
}

/** Kernel layout [size, size, outChannels, inChannels], as tf.conv2dTranspose wants. */
export function defineDeconv(
  b: ParamBuilder,
  name: string,
  size: number,
  stride: number,
  inChannels: number,
  outChannels: number,
  init: Init,
): void {
  // Each output pixel sums (size / stride)^2 input pixels per input channel: that is its fan-in.
  // PyTorch's default init reads it off its weight's second dimension instead: size^2 outChannels.
  const fanIn = init === 'torch' ? size * size * outChannels : (size * size * inChannels) / (stride * stride);
  b.weight(`${name}/kernel`, [size, size, outChannels, inChannels], fanIn, size * size * outChannels, init);
  b.bias(`${name}/bias`, [outChannels], fanIn, init);
}

/**
 * 'same'-padded transposed convolution that multiplies height and width by `stride`. With `size`,
 * only the top-left size x size of that output, as cropping it would give: the padding past the
 * crop goes to the bottom and right, so a backend need not compute the rows and columns cropped.
 */
export function deconv(p: ParamTensors, name: string, x: tf.Tensor4D, stride: number, size?: number): tf.Tensor4D {
  const kernel = p[`${name}/kernel`] as tf.Tensor4D;
  const [batch, height, width] = x.shape;
  const full = [height * stride, width * stride];
  if (size == null) {
    const outShape: [number, number, number, number] = [batch, full[0], full[1], kernel.shape[2]];
    return tf.add(tf.conv2dTranspose(x, kernel, outShape, stride, 'same'), p[`${name}/bias`]);
  }
  // The 'same' padding of the full output (the odd one after), plus the rows cropped.
  const [rows, cols] = [height, width].map((inSize, axis) => {
    const total = Math.max(0, (inSize - 1) * stride + kernel.shape[axis] - full[axis]);
    const before = Math.floor(total / 2);
    return [before, total - before + full[axis] - size] as [number, number];
  });
  const outShape: [number, number, number, number] = [batch, size, size, kernel.shape[2]];
  return tf.add(tf.conv2dTranspose(x, kernel, outShape, stride, [[0, 0], rows, cols, [0, 0]]), p[`${name}/bias`]);
}

/** Per-channel scale (1) and shift (0) for layerNorm. */
export function defineLayerNorm(b: ParamBuilder, name: string, channels: number): void {
  b.constant(`${name}/gamma`, [channels], 1);
  b.constant(`${name}/beta`, [channels], 0);
}

/**
 * Normalises each sample over all its non-batch axes (never across the batch: the gradient
 * penalty is per sample), then scales and shifts per channel.
 */
export function layerNorm(p: ParamTensors, name: string, x: tf.Tensor): tf.Tensor {
  const axes = x.shape.slice(1).map((_, i) => i + 1);
  const mean = tf.mean(x, axes, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), axes, true);
  const normalised = tf.mul(centred, tf.rsqrt(tf.add(variance, LAYER_NORM_EPSILON)));
  return tf.add(tf.mul(normalised, p[`${name}/gamma`]), p[`${name}/beta`]);
}

/** Float one-hot rows [n, classes] of int32 labels [n]: constants, so no gradient flows to a label. */
export function oneHotLabels(labels: tf.Tensor1D, classes: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(labels, classes), 'float32') as tf.Tensor2D;
}

/** A class embedding [classes, features] for `projection`, scaled like a dense layer of `features` inputs. */
export function defineProjection(b: ParamBuilder, name: string, classes: number, features: number, init: Init): void {
  b.weight(`${name}/kernel`, [classes, features], features, 1, init);
}

/**
 * The projection term of a class-conditional critic (Miyato and Koyama 2018): <embed(y), h>
 * per sample, [n, 1], from features h [n, features] and one-hot labels [n, classes]. A matMul
 * picks the embedding rows (rather than a gather) so the penalty's second order runs through
 * ops the gradient layer checks.
 */
export function projection(p: ParamTensors, name: string, h: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor2D {
  return tf.sum(tf.mul(h, tf.matMul(oneHot, p[`${name}/kernel`] as tf.Tensor2D)), 1, true);
}
