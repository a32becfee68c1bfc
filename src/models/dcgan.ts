/**
 * The DCGAN-style pairs of the WGAN-GP authors (gan_mnist.py, gan_cifar.py), NHWC:
 * G: dense -> 4x4x4DIM, ReLU; 5x5 stride-2 deconvs to 2DIM, DIM, then the image channels, ReLU
 * between; the 28x28 net crops 8x8 to 7x7 after the first deconv (7 -> 14 -> 28).
 * D: 5x5 stride-2 convs to DIM, 2DIM, 4DIM (4x4 either way), LeakyReLU(0.2), dense -> 1 (the dense
 * head and any label projection are added in index.ts).
 * The CIFAR generator's batch norm is left out: samples then never depend on their batch.
 * `upsample` and `criticDownsample` swap the deconvs and the critic's strided convs 2 and 3
 * (resample.ts); the critic's first conv stays strided.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamBuilder } from '../nn/init';
import { conv, defineConv, defineDense, defineLayerNorm, dense, layerNorm } from '../nn/layers';
import type { ParamTensors } from '../nn/params';
import type { Dcgan28Arch, Dcgan32Arch } from './config';
import { squash } from './network';
import { defineDownsample, defineUpsample, downsample, upsample } from './resample';

type DcganArch = Dcgan28Arch | Dcgan32Arch;

const KERNEL_SIZE = 5;
const STRIDE = 2;
/** The authors' LeakyReLU slope. */
const LEAKY_SLOPE = 0.2;
/** PyTorch's default layer init (src/nn/init.ts says why: faster learning than He / Glorot). */
const INIT = 'torch';
/** Both nets meet at 4x4 with 4*DIM channels. */
const BASE_SIDE = 4;

const channels = (c: DcganArch) => c.outputShape[2];
const upsampling = (c: DcganArch) => c.upsample ?? 'transposed';
const downsampling = (c: DcganArch) => c.criticDownsample ?? 'strided';

export function defineDcganGenerator(c: DcganArch, b: ParamBuilder): void {
  defineDense(b, 'input', c.latentDim, BASE_SIDE * BASE_SIDE * 4 * c.dim, INIT);
  defineUpsample(b, upsampling(c), 1, 4 * c.dim, 2 * c.dim, INIT);
  defineUpsample(b, upsampling(c), 2, 2 * c.dim, c.dim, INIT);
  defineUpsample(b, upsampling(c), 3, c.dim, channels(c), INIT);
}

export function dcganGenerator(c: DcganArch, p: ParamTensors, z: tf.Tensor): tf.Tensor {
  const n = z.shape[0];
  let h = tf.reshape(tf.relu(dense(p, 'input', z)), [n, BASE_SIDE, BASE_SIDE, 4 * c.dim]) as tf.Tensor4D;
  // dcgan28 keeps the top-left 7x7 of the 8x8 (a transposed conv then never computes the rest).
  h = tf.relu(upsample(p, upsampling(c), 1, h, c.kind === 'dcgan28' ? 7 : undefined));
  h = tf.relu(upsample(p, upsampling(c), 2, h));
  return squash(upsample(p, upsampling(c), 3, h), c.outputRange);
}

export function defineDcganCritic(c: DcganArch, b: ParamBuilder): void {
  defineConv(b, 'conv1', KERNEL_SIZE, channels(c), c.dim, INIT);
  defineDownsample(b, 'conv2', c.dim, 2 * c.dim, INIT);
  if (c.criticNorm === 'layer') defineLayerNorm(b, 'norm2', 2 * c.dim);
  defineDownsample(b, 'conv3', 2 * c.dim, 4 * c.dim, INIT);
  if (c.criticNorm === 'layer') defineLayerNorm(b, 'norm3', 4 * c.dim);
  defineDense(b, 'output', BASE_SIDE * BASE_SIDE * 4 * c.dim, 1, INIT);
}

/** The critic up to its 'output' layer: the features [n, 4*4*4DIM] that layer (and a projection) reads. */
export function dcganCriticFeatures(c: DcganArch, p: ParamTensors, x: tf.Tensor): tf.Tensor2D {
  const n = x.shape[0];
  let h = tf.leakyRelu(conv(p, 'conv1', x as tf.Tensor4D, STRIDE), LEAKY_SLOPE);
  for (const i of [2, 3]) {
    h = downsample(p, downsampling(c), `conv${i}`, h);
    if (c.criticNorm === 'layer') h = layerNorm(p, `norm${i}`, h) as tf.Tensor4D;
    h = tf.leakyRelu(h, LEAKY_SLOPE);
  }
  return tf.reshape(h, [n, BASE_SIDE * BASE_SIDE * 4 * c.dim]);
}
