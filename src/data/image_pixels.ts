/**
 * Pixel work on user images, before training: RGBA pixels -> a training array of the network's
 * size, and the background checks of fine-tuning. No tfjs: the page-side runtime exports these
 * too, so a page prepares its images before they cross to the worker.
 */
import { median } from '../utils/median';
import type { ImageArray } from './images';

export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel. */
  rgba: Uint8Array;
}

/** ITU-R BT.601 luma, the weights of a greyscale conversion. */
const LUMA = [0.299, 0.587, 0.114];

/**
 * The border that background levels read: the outer 1/14 of each side (2 pixels of 28), inside
 * MNIST's empty margin of 4 and clear of most of a cropped photo's ink.
 */
const BORDER_FRACTION = 1 / 14;

/**
 * Resizes (area average, after compositing on white) to size x size and keeps `channels`
 * (1: luminance, 3: RGB), returning uint8 N x size x size x channels.
 */
export function toImageArray(images: DecodedImage[], size: number, channels: 1 | 3): ImageArray {
  const data = new Uint8Array(images.length * size * size * channels);
  images.forEach((img, n) => {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const sum = [0, 0, 0];
        const [y0, y1] = [
          Math.floor((y * img.height) / size),
          Math.max(Math.floor((y * img.height) / size) + 1, Math.floor(((y + 1) * img.height) / size)),
        ];
        const [x0, x1] = [
          Math.floor((x * img.width) / size),
          Math.max(Math.floor((x * img.width) / size) + 1, Math.floor(((x + 1) * img.width) / size)),
        ];
        for (let sy = y0; sy < y1; sy++) {
          for (let sx = x0; sx < x1; sx++) {
            const i = (sy * img.width + sx) * 4;
            const alpha = img.rgba[i + 3] / 255;
            for (let c = 0; c < 3; c++) sum[c] += img.rgba[i + c] * alpha + 255 * (1 - alpha);
          }
        }
        const count = (y1 - y0) * (x1 - x0);
        const out = ((n * size + y) * size + x) * channels;
        if (channels === 3) for (let c = 0; c < 3; c++) data[out + c] = Math.round(sum[c] / count);
        else data[out] = Math.round((LUMA[0] * sum[0] + LUMA[1] * sum[1] + LUMA[2] * sum[2]) / count);
      }
    }
  });
  return { data, shape: [images.length, size, size, channels] };
}

/** True when every pixel of every image has R = G = B. */
export function isGreyscale(images: DecodedImage[]): boolean {
  return images.every(({ rgba }) => {
    for (let i = 0; i < rgba.length; i += 4) if (rgba[i] !== rgba[i + 1] || rgba[i] !== rgba[i + 2]) return false;
    return true;
  });
}

/** Images as arrays or as pixels: an ImageArray, or the 'rgba' samples and ImageData a page has. */
export interface Pixels {
  data: Uint8Array | Uint8ClampedArray | Float32Array;
  /** [count, height, width, channels] */
  shape: readonly number[];
}

/**
 * Each image's background level in [0, 1]: the median luminance of its border pixels. Digits
 * drawn light on dark (MNIST) read near 0, a scan of ink on paper near 1. Channels 1 (grey),
 * 3 (RGB) or 4 (RGBA, alpha ignored); 8-bit 0..255 or floats in [0, 1].
 */
export function backgroundLevels({ data, shape }: Pixels): number[] {
  const [count, height, width, channels] = shape;
  const unit = data instanceof Float32Array ? 1 : 1 / 255;
  const band = Math.max(1, Math.round(Math.min(height, width) * BORDER_FRACTION));
  const levels: number[] = [];
  for (let n = 0; n < count; n++) {
    const border: number[] = [];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (y >= band && y < height - band && x >= band && x < width - band) continue;
        const i = ((n * height + y) * width + x) * channels;
        border.push(
          channels === 1 ? data[i] * unit : (LUMA[0] * data[i] + LUMA[1] * data[i + 1] + LUMA[2] * data[i + 2]) * unit,
        );
      }
    }
    levels.push(median(border));
  }
  return levels;
}

/** A copy with every value v turned to its negative (255 - v, or 1 - v for floats). */
export function invertImages({ data, shape }: ImageArray): ImageArray {
  const full = data instanceof Uint8Array ? 255 : 1;
  const inverted = data.map((v) => full - v) as typeof data;
  return { data: inverted, shape: [...shape] };
}

/**
 * Images and a model disagree on the background when their median levels lie more than this
 * apart: a light-on-dark model (0.0) against ink on paper (0.9) is 0.9, the same kind of
 * images a few tenths at most.
 */
export const BACKGROUND_MISMATCH = 0.5;

/** The median of the levels' medians: one number for a set of images. */
export function backgroundOf(images: Pixels): number {
  return median(backgroundLevels(images));
}

/** Both sets' background levels when they lie more than BACKGROUND_MISMATCH apart, else null. */
export function backgroundsDisagree(images: Pixels, modelSamples: Pixels): { images: number; model: number } | null {
  const [ours, model] = [backgroundOf(images), backgroundOf(modelSamples)];
  return Math.abs(model - ours) > BACKGROUND_MISMATCH ? { images: ours, model } : null;
}
