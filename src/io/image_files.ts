/**
 * User images (PNG or JPEG bytes) -> an image array of one size, for training and fine-tuning.
 * Pure JavaScript: runs in pages, workers and Node alike.
 */
import { decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import type { ImageArray } from '../data/images';

export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel. */
  rgba: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];
/** Larger images are refused before decoding: a 28x28 or 32x32 model never needs them. */
const MAX_PIXELS = 4096 * 4096;

const startsWith = (bytes: Uint8Array, sig: number[]) => sig.every((b, i) => bytes[i] === b);

export function decodeImage(bytes: Uint8Array, name: string): DecodedImage {
  try {
    if (startsWith(bytes, PNG_SIGNATURE)) return pngToRgba(bytes);
    if (startsWith(bytes, JPEG_SIGNATURE)) {
      const jpeg = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6 });
      return { width: jpeg.width, height: jpeg.height, rgba: jpeg.data };
    }
  } catch (e) {
    throw new Error(`${name}: cannot decode image (${(e as Error).message}).`);
  }
  throw new Error(`${name}: not a PNG or JPEG file.`);
}

function pngToRgba(bytes: Uint8Array): DecodedImage {
  const png = decodePng(bytes);
  const { width, height, channels } = png;
  if (width * height > MAX_PIXELS) throw new Error(`${width}x${height} is larger than ${MAX_PIXELS} pixels`);
  const depthScale = png.depth === 16 ? 1 / 257 : png.depth < 8 ? 255 / (2 ** png.depth - 1) : 1;
  if (png.palette) throw new Error('palette PNGs are not supported: save it as RGB or greyscale');
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const px = (c: number) => Math.round(png.data[p * channels + c] * depthScale);
    const [r, g, b] = channels >= 3 ? [px(0), px(1), px(2)] : [px(0), px(0), px(0)];
    const a = channels === 4 ? px(3) : channels === 2 ? px(1) : 255;
    rgba.set([r, g, b, a], p * 4);
  }
  return { width, height, rgba };
}

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
        const [y0, y1] = [Math.floor((y * img.height) / size), Math.max(Math.floor((y * img.height) / size) + 1, Math.floor(((y + 1) * img.height) / size))];
        const [x0, x1] = [Math.floor((x * img.width) / size), Math.max(Math.floor((x * img.width) / size) + 1, Math.floor(((x + 1) * img.width) / size))];
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
        else data[out] = Math.round((0.299 * sum[0] + 0.587 * sum[1] + 0.114 * sum[2]) / count);
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
