/**
 * User images: PNG or JPEG bytes -> upright RGBA pixels (src/data/image_pixels.ts makes training
 * arrays of them). Pure JavaScript: runs in pages, workers and Node alike.
 */
import { convertIndexedToRgb, decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import type { DecodedImage } from '../data/image_pixels';
import { jpegOrientation, jpegSegments, orient } from './exif_orientation';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];
/** Larger images are refused before decoding: a 28x28 or 32x32 model never needs them. */
const MAX_SIDE = 4096;
const MAX_PIXELS = MAX_SIDE * MAX_SIDE;

/** JPEG start-of-frame markers (SOF0-SOF15 but DHT, JPG and DAC), whose segment holds the image size. */
const JPEG_FRAME_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

const startsWith = (bytes: Uint8Array, sig: number[]) => sig.every((b, i) => bytes[i] === b);

/**
 * Width and height as a PNG's IHDR or a JPEG's frame header declares them, read from the header
 * alone; null when the header does not say (the decoder then reports the file as broken).
 */
export function imageDimensions(bytes: Uint8Array): { width: number; height: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (startsWith(bytes, PNG_SIGNATURE)) {
    // Signature (8), then the IHDR chunk: length (4), type (4), width (4), height (4).
    return bytes.length >= 24 ? { width: view.getUint32(16), height: view.getUint32(20) } : null;
  }
  if (startsWith(bytes, JPEG_SIGNATURE)) {
    for (const { marker, at } of jpegSegments(bytes)) {
      if (JPEG_FRAME_MARKERS.has(marker) && at + 9 <= bytes.length)
        return { width: view.getUint16(at + 7), height: view.getUint16(at + 5) };
    }
  }
  return null;
}

export function decodeImage(bytes: Uint8Array, name: string): DecodedImage {
  // A small file can declare a huge image (a decompression bomb): refused before decoding.
  const size = imageDimensions(bytes);
  if (size != null && size.width * size.height > MAX_PIXELS) {
    throw new Error(
      `${name}: declares ${size.width}x${size.height} pixels, more than the ${MAX_PIXELS} (${MAX_SIDE}x${MAX_SIDE}) a training image may have; refused before decoding.`,
    );
  }
  try {
    if (startsWith(bytes, PNG_SIGNATURE)) return pngToRgba(bytes);
    if (startsWith(bytes, JPEG_SIGNATURE)) {
      const jpeg = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6 });
      return orient({ width: jpeg.width, height: jpeg.height, rgba: jpeg.data }, jpegOrientation(bytes));
    }
  } catch (e) {
    throw new Error(`${name}: cannot decode image (${(e as Error).message}).`);
  }
  throw new Error(`${name}: not a PNG or JPEG file.`);
}

function pngToRgba(bytes: Uint8Array): DecodedImage {
  const png = decodePng(bytes);
  const { width, height } = png;
  // Palette PNGs (what PNG optimisers write) as their colours: 8-bit RGB, or RGBA with transparency.
  const [data, channels, depthScale] = png.palette
    ? [convertIndexedToRgb(png), png.palette[0].length, 1]
    : [png.data, png.channels, png.depth === 16 ? 1 / 257 : png.depth < 8 ? 255 / (2 ** png.depth - 1) : 1];
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const px = (c: number) => Math.round(data[p * channels + c] * depthScale);
    const [r, g, b] = channels >= 3 ? [px(0), px(1), px(2)] : [px(0), px(0), px(0)];
    const a = channels === 4 ? px(3) : channels === 2 ? px(1) : 255;
    rgba.set([r, g, b, a], p * 4);
  }
  return { width, height, rgba };
}
