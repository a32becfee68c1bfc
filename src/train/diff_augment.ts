/**
 * DiffAugment (Zhao, Liu, Lin, Zhu and Han, "Differentiable Augmentation for Data-Efficient GAN
 * Training", NeurIPS 2020; their DiffAugment_pytorch.py): the same kind of random augmentation T
 * on real and on generated images wherever the critic sees them, so that a critic trained on a
 * handful of images cannot memorise them, and differentiable, so that the generator learns
 * through T. Their policy 'translation,cutout' (and 'color' for colour images):
 * - translation: each image shifted by whole pixels, up to `translation` x its side (1/8) in
 *   each direction, zero fill;
 * - cutout: a square of `cutout` x its side (1/2) set to zero, anywhere (clipped at the edges);
 * - colour (3 channels only): brightness + U(-0.5, 0.5), saturation x U(0, 2) around the pixel's
 *   channel mean, contrast x U(0.5, 1.5) around the image's mean.
 *
 * Built from ops whose gradients tfjs gets right to second order (BatchMatMul with constant
 * one-hot shift matrices, Mul by a constant mask, Add, Mean), not from slices and pads
 * (StridedSlice has no gradient at all in tfjs 4.22). The draws come from a seeded Rng in
 * JavaScript, so a seed gives the same augmentation on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../utils/errors';
import { Rng } from '../utils/rng';

export interface DiffAugmentPolicy {
  /** Largest shift as a share of the image's side (Zhao et al.: 1/8); 0: none. */
  translation: number;
  /** The cut square's side as a share of the image's side (Zhao et al.: 1/2); 0: none. */
  cutout: number;
  /** Brightness, saturation and contrast, for 3-channel images only. */
  colour: boolean;
}

/** Zhao et al.'s 'translation,cutout' (and 'color' where the images have colour). */
export const DIFF_AUGMENT_DEFAULT: DiffAugmentPolicy = { translation: 1 / 8, cutout: 1 / 2, colour: true };

export function checkPolicy(policy: DiffAugmentPolicy): DiffAugmentPolicy {
  const share = (v: unknown) => typeof v === 'number' && v >= 0 && v < 1;
  if (policy == null || !share(policy.translation) || !share(policy.cutout) || typeof policy.colour !== 'boolean') {
    throw new ConfigError(
      `DiffAugment policy: translation and cutout must be shares in [0, 1), colour a boolean; got ${JSON.stringify(policy)}`,
      'bad-settings',
    );
  }
  return policy;
}

/**
 * T(x) for images x [n, h, w, c], drawn from `seed`. Linear in x for translation and cutout, so
 * its gradient (and the gradient of a function of its gradient) is exact.
 */
export function diffAugment(x: tf.Tensor, seed: number, policy: DiffAugmentPolicy = DIFF_AUGMENT_DEFAULT): tf.Tensor4D {
  if (x.rank !== 4) throw new ConfigError(`diffAugment: expects images [n, h, w, c], got [${x.shape}]`, 'bad-data');
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const rng = new Rng(seed);
  return tf.tidy(() => {
    let out = x as tf.Tensor4D;
    if (policy.colour && c === 3) out = colour(out, rng);
    if (policy.translation > 0) out = translate(out, rng, policy.translation);
    if (policy.cutout > 0) {
      const mask = cutoutMask(n, h, w, c, rng, policy.cutout);
      out = tf.mul(out, mask);
    }
    return out;
  });
}

/** DiffAugment_pytorch's shift: int(side * ratio + 0.5), each way, drawn per image. */
function translate(x: tf.Tensor4D, rng: Rng, ratio: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [maxY, maxX] = [Math.floor(h * ratio + 0.5), Math.floor(w * ratio + 0.5)];
  if (maxY === 0 && maxX === 0) return x;
  // rows [n*c, h, h]: out = Sy X Sx^T, with Sy[i][i - dy] = 1 and SxT[j - dx][j] = 1.
  const rows = new Float32Array(n * c * h * h);
  const cols = new Float32Array(n * c * w * w);
  for (let b = 0; b < n; b++) {
    const dy = rng.int(2 * maxY + 1) - maxY;
    const dx = rng.int(2 * maxX + 1) - maxX;
    for (let ch = 0; ch < c; ch++) {
      const m = b * c + ch;
      for (let i = 0; i < h; i++) if (i - dy >= 0 && i - dy < h) rows[m * h * h + i * h + (i - dy)] = 1;
      for (let j = 0; j < w; j++) if (j - dx >= 0 && j - dx < w) cols[m * w * w + (j - dx) * w + j] = 1;
    }
  }
  const planes = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n * c, h, w]) as tf.Tensor3D;
  const shifted = tf.matMul(tf.matMul(tf.tensor3d(rows, [n * c, h, h]), planes), tf.tensor3d(cols, [n * c, w, w]));
  return tf.transpose(tf.reshape(shifted, [n, c, h, w]), [0, 2, 3, 1]) as tf.Tensor4D;
}

/** DiffAugment_pytorch's cutout: a square of int(side * ratio + 0.5), its centre anywhere in the image. */
function cutoutMask(n: number, h: number, w: number, c: number, rng: Rng, ratio: number): tf.Tensor4D {
  const [sizeY, sizeX] = [Math.floor(h * ratio + 0.5), Math.floor(w * ratio + 0.5)];
  const mask = new Float32Array(n * h * w * c).fill(1);
  for (let b = 0; b < n; b++) {
    const cy = rng.int(h + (1 - (sizeY % 2)));
    const cx = rng.int(w + (1 - (sizeX % 2)));
    for (let i = Math.max(0, cy - (sizeY >> 1)); i < Math.min(h, cy - (sizeY >> 1) + sizeY); i++) {
      for (let j = Math.max(0, cx - (sizeX >> 1)); j < Math.min(w, cx - (sizeX >> 1) + sizeX); j++) {
        for (let ch = 0; ch < c; ch++) mask[((b * h + i) * w + j) * c + ch] = 0;
      }
    }
  }
  return tf.tensor4d(mask, [n, h, w, c]);
}

/** DiffAugment_pytorch's rand_brightness, rand_saturation, rand_contrast, in that order. */
function colour(x: tf.Tensor4D, rng: Rng): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const perImage = (draw: () => number) =>
    tf.tile(tf.tensor4d(Float32Array.from({ length: n }, draw), [n, 1, 1, 1]), [1, h, w, c]);
  let out = tf.add(
    x,
    perImage(() => rng.uniform() - 0.5),
  ) as tf.Tensor4D;
  const channelMean = tf.tile(tf.mean(out, 3, true), [1, 1, 1, c]);
  out = tf.add(
    tf.mul(
      tf.sub(out, channelMean),
      perImage(() => 2 * rng.uniform()),
    ),
    channelMean,
  );
  const imageMean = tf.tile(tf.mean(out, [1, 2, 3], true), [1, h, w, c]);
  return tf.add(
    tf.mul(
      tf.sub(out, imageMean),
      perImage(() => rng.uniform() + 0.5),
    ),
    imageMean,
  ) as tf.Tensor4D;
}
