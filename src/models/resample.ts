/**
 * The DCGAN pairs' resolution changes, one block each way, chosen by the config:
 * - generator, upsample x2: 'transposed' (a 5x5 stride-2 transposed conv, the default and the
 *   shipped models' layers) or 'nearest' / 'bilinear' (resize, then a 5x5 stride-1 conv: no
 *   checkerboard pattern from overlapping transposed-conv windows);
 * - critic, downsample /2: 'strided' (a 5x5 stride-2 conv, the default) or 'avgpool' (a 5x5
 *   stride-1 conv, then 2x2 average pooling).
 * The penalty differentiates through these twice; the gradient layer makes resize and pooling
 * right to second order.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Init, ParamBuilder } from '../nn/init';
import { conv, deconv, defineConv, defineDeconv } from '../nn/layers';
import type { ParamTensors } from '../nn/params';
import type { CriticDownsample, Upsample } from './config';

const KERNEL_SIZE = 5;
const FACTOR = 2;

/** Layer names keep the transposed conv's 'deconvN', so existing weights load; resize + conv layers are 'upconvN'. */
export function upsampleLayerName(mode: Upsample, index: number): string {
  return mode === 'transposed' ? `deconv${index}` : `upconv${index}`;
}

export function defineUpsample(b: ParamBuilder, mode: Upsample, index: number, inChannels: number, outChannels: number, init: Init): void {
  const name = upsampleLayerName(mode, index);
  if (mode === 'transposed') defineDeconv(b, name, KERNEL_SIZE, FACTOR, inChannels, outChannels, init);
  else defineConv(b, name, KERNEL_SIZE, inChannels, outChannels, init);
}

/** Doubles height and width; with `crop`, keeps the top-left crop x crop of that. */
export function upsample(p: ParamTensors, mode: Upsample, index: number, h: tf.Tensor4D, crop?: number): tf.Tensor4D {
  const name = upsampleLayerName(mode, index);
  if (mode === 'transposed') return deconv(p, name, h, FACTOR, crop);
  const size: [number, number] = [h.shape[1] * FACTOR, h.shape[2] * FACTOR];
  // Half-pixel centres for bilinear: each output pixel reads its own neighbourhood (PyTorch's align_corners=False).
  const resized = mode === 'nearest' ? tf.image.resizeNearestNeighbor(h, size) : tf.image.resizeBilinear(h, size, false, true);
  const out = conv(p, name, resized, 1);
  return crop == null ? out : tf.slice(out, [0, 0, 0, 0], [-1, crop, crop, -1]);
}

export function defineDownsample(b: ParamBuilder, name: string, inChannels: number, outChannels: number, init: Init): void {
  defineConv(b, name, KERNEL_SIZE, inChannels, outChannels, init);
}

/** Halves height and width, rounding up ('same'). */
export function downsample(p: ParamTensors, mode: CriticDownsample, name: string, h: tf.Tensor4D): tf.Tensor4D {
  if (mode === 'strided') return conv(p, name, h, FACTOR);
  return tf.avgPool(conv(p, name, h, 1), FACTOR, FACTOR, 'same');
}
