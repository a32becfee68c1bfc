/**
 * The project's own classifiers, the yardsticks of its image-quality measure: their
 * penultimate (feature) layer feeds a Frechet distance, their predictions give class shares.
 * conv 5x5 32 s2 + LeakyReLU -> conv 5x5 64 s2 + LeakyReLU -> dense 128 + ReLU (the
 * features) -> dense `classes` (logits), in two sizes: MNIST's (input [n, 28, 28, 1], 10
 * classes) and the emoji categories' (input [n, 32, 32, 3], 9 classes), in [0, 1]. The
 * weights tell which one a set of parameters is (classifierArch).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamBuilder } from '../nn/init';
import { conv, defineConv, defineDense, dense } from '../nn/layers';
import type { Params, ParamTensors } from '../nn/params';
import { ConfigError } from '../utils/errors';
import { checkInput } from './network';

export interface ClassifierArch {
  kind: 'mnist-classifier' | 'emoji-classifier';
  inputShape: number[];
  classes: number;
  /** Width of the feature layer the Frechet distance is computed on. */
  features: number;
}

export const MNIST_CLASSIFIER: ClassifierArch = {
  kind: 'mnist-classifier',
  inputShape: [28, 28, 1],
  classes: 10,
  features: 128,
};
/** The nine categories of src/node/emoji.ts EMOJI_CATEGORIES, 32x32 RGB. */
export const EMOJI_CLASSIFIER: ClassifierArch = {
  kind: 'emoji-classifier',
  inputShape: [32, 32, 3],
  classes: 9,
  features: 128,
};
export const CLASSIFIER_ARCHS: readonly ClassifierArch[] = [MNIST_CLASSIFIER, EMOJI_CLASSIFIER];

/** MNIST's classifier, the default where none is named. */
export const CLASSIFIER_INPUT_SHAPE = MNIST_CLASSIFIER.inputShape;
export const CLASSIFIER_CLASSES = MNIST_CLASSIFIER.classes;
export const CLASSIFIER_FEATURES = 128;

const KERNEL_SIZE = 5;
const STRIDE = 2;
const LEAKY_SLOPE = 0.2;
const CONV1_CHANNELS = 32;
const CONV2_CHANNELS = 64;

/** The flattened conv output: side -> side/2 -> side/4 after two stride-2 'same' convs (28 -> 7, 32 -> 8). */
function flatSize(arch: ClassifierArch): number {
  const last = Math.ceil(Math.ceil(arch.inputShape[0] / STRIDE) / STRIDE);
  return last * last * CONV2_CHANNELS;
}

export function classifierParams(seed: number, arch: ClassifierArch = MNIST_CLASSIFIER): Params {
  const b = new ParamBuilder(seed);
  defineConv(b, 'conv1', KERNEL_SIZE, arch.inputShape[2], CONV1_CHANNELS, 'he');
  defineConv(b, 'conv2', KERNEL_SIZE, CONV1_CHANNELS, CONV2_CHANNELS, 'he');
  defineDense(b, 'features', flatSize(arch), arch.features, 'he');
  defineDense(b, 'logits', arch.features, arch.classes, 'glorot');
  return b.params;
}

/** Which classifier `p` is, from its weights' shapes; an error naming them when it is none. */
export function classifierArch(p: ParamTensors): ClassifierArch {
  const shapes = ['conv1/kernel', 'features/kernel', 'logits/kernel'].map((name) => p[name]?.shape.join());
  const arch = CLASSIFIER_ARCHS.find((a) => {
    const built = [
      [KERNEL_SIZE, KERNEL_SIZE, a.inputShape[2], CONV1_CHANNELS],
      [flatSize(a), a.features],
      [a.features, a.classes],
    ];
    return built.every((shape, i) => shape.join() === shapes[i]);
  });
  if (arch == null)
    throw new ConfigError(
      `classifier: weights conv1/kernel [${shapes[0]}], features/kernel [${shapes[1]}], logits/kernel [${shapes[2]}] fit none of ${CLASSIFIER_ARCHS.map((a) => a.kind).join(', ')}`,
      'data-mismatch',
    );
  return arch;
}

/** Penultimate activations [n, features] of images [n, ...inputShape] in [0, 1]. */
export function classifierFeatures(p: ParamTensors, images: tf.Tensor): tf.Tensor2D {
  const arch = classifierArch(p);
  checkInput(images, arch.inputShape, 'classifier');
  return tf.tidy(() => {
    const n = images.shape[0];
    let h = tf.leakyRelu(conv(p, 'conv1', images as tf.Tensor4D, STRIDE), LEAKY_SLOPE);
    h = tf.leakyRelu(conv(p, 'conv2', h, STRIDE), LEAKY_SLOPE);
    return tf.relu(dense(p, 'features', tf.reshape(h, [n, flatSize(arch)])));
  });
}

/** Class logits [n, classes] from features [n, features]. */
export function classifierHead(p: ParamTensors, features: tf.Tensor2D): tf.Tensor2D {
  return dense(p, 'logits', features);
}

/** Class logits [n, classes] of images [n, ...inputShape] in [0, 1]. */
export function classifierLogits(p: ParamTensors, images: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => classifierHead(p, classifierFeatures(p, images)));
}
