/**
 * The project's own MNIST classifier, the yardstick of its image-quality measure: its
 * penultimate (feature) layer feeds a Frechet distance, its predictions give class shares.
 * conv 5x5 32 s2 + LeakyReLU -> conv 5x5 64 s2 + LeakyReLU -> dense 128 + ReLU (the
 * features) -> dense 10 (logits). Input: [n, 28, 28, 1] in [0, 1].
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamBuilder } from '../nn/init';
import { conv, defineConv, defineDense, dense } from '../nn/layers';
import type { Params, ParamTensors } from '../nn/params';
import { checkInput } from './network';

export const CLASSIFIER_INPUT_SHAPE = [28, 28, 1];
export const CLASSIFIER_CLASSES = 10;
/** Width of the feature layer the Frechet distance is computed on. */
export const CLASSIFIER_FEATURES = 128;

const KERNEL_SIZE = 5;
const STRIDE = 2;
const LEAKY_SLOPE = 0.2;
const CONV1_CHANNELS = 32;
const CONV2_CHANNELS = 64;
/** 28 -> 14 -> 7 after two stride-2 'same' convs. */
const LAST_SIDE = 7;
const FLAT = LAST_SIDE * LAST_SIDE * CONV2_CHANNELS;

export function classifierParams(seed: number): Params {
  const b = new ParamBuilder(seed);
  defineConv(b, 'conv1', KERNEL_SIZE, CLASSIFIER_INPUT_SHAPE[2], CONV1_CHANNELS, 'he');
  defineConv(b, 'conv2', KERNEL_SIZE, CONV1_CHANNELS, CONV2_CHANNELS, 'he');
  defineDense(b, 'features', FLAT, CLASSIFIER_FEATURES, 'he');
  defineDense(b, 'logits', CLASSIFIER_FEATURES, CLASSIFIER_CLASSES, 'glorot');
  return b.params;
}

/** Penultimate activations [n, 128] of images [n, 28, 28, 1] in [0, 1]. */
export function classifierFeatures(p: ParamTensors, images: tf.Tensor): tf.Tensor2D {
  checkInput(images, CLASSIFIER_INPUT_SHAPE, 'classifier');
  return tf.tidy(() => {
    const n = images.shape[0];
    let h = tf.leakyRelu(conv(p, 'conv1', images as tf.Tensor4D, STRIDE), LEAKY_SLOPE);
    h = tf.leakyRelu(conv(p, 'conv2', h, STRIDE), LEAKY_SLOPE);
    return tf.relu(dense(p, 'features', tf.reshape(h, [n, FLAT])));
  });
}

/** Class logits [n, 10] from features [n, 128]. */
export function classifierHead(p: ParamTensors, features: tf.Tensor2D): tf.Tensor2D {
  return dense(p, 'logits', features);
}

/** Class logits [n, 10] of images [n, 28, 28, 1] in [0, 1]. */
export function classifierLogits(p: ParamTensors, images: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => classifierHead(p, classifierFeatures(p, images)));
}
