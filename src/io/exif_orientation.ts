/**
 * EXIF orientation: a phone stores a photo as its sensor saw it and names, in the JPEG's EXIF
 * block, how to turn it upright (tag 0x0112, values 1-8). Browsers apply it when they decode;
 * jpeg-js does not, so decodeImage (image_files.ts) does, and a phone photo of a digit held
 * sideways trains upright.
 */
import type { DecodedImage } from '../data/image_pixels';

const ORIENTATION_TAG = 0x0112;
const APP1 = 0xe1;
const START_OF_SCAN = 0xda;
const EXIF_HEADER = 'Exif\0\0';

/**
 * A JPEG's header segments, in order, up to the image data: each marker and where the segment
 * starts (at its 0xFF). The metadata and frame header (SOF) segments all come before the scan.
 */
export function* jpegSegments(bytes: Uint8Array): Generator<{ marker: number; at: number; length: number }> {
  let at = 2; // past the start-of-image marker
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1];
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (marker === START_OF_SCAN) return;
    yield { marker, at, length };
    at += 2 + length;
  }
}

/** The orientation (1-8) a JPEG's EXIF block names; 1 (as stored) when it names none or is unreadable. */
export function jpegOrientation(bytes: Uint8Array): number {
  for (const { marker, at, length } of jpegSegments(bytes)) {
    if (marker === APP1 && String.fromCharCode(...bytes.subarray(at + 4, at + 10)) === EXIF_HEADER) {
      return tiffOrientation(bytes.subarray(at + 10, Math.min(bytes.length, at + 2 + length)));
    }
  }
  return 1;
}

/** The orientation entry of a TIFF block's first directory (EXIF is a TIFF inside the JPEG). */
function tiffOrientation(tiff: Uint8Array): number {
  if (tiff.length < 8) return 1;
  const little = tiff[0] === 0x49; // 'II' (Intel); 'MM' is big-endian
  const u16 = (o: number) => (little ? tiff[o] | (tiff[o + 1] << 8) : (tiff[o] << 8) | tiff[o + 1]);
  const u32 = (o: number) => (little ? u16(o) + u16(o + 2) * 0x10000 : u16(o) * 0x10000 + u16(o + 2));
  const directory = u32(4);
  if (directory + 2 > tiff.length) return 1;
  for (let i = 0, entry = directory + 2; i < u16(directory) && entry + 12 <= tiff.length; i++, entry += 12) {
    if (u16(entry) !== ORIENTATION_TAG) continue;
    const value = u16(entry + 8);
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

/**
 * The image turned upright. Orientation o shows, at output (x, y), the stored pixel
 * SOURCE[o](x, y) of a w x h image; 5-8 swap width and height.
 */
export function orient(image: DecodedImage, orientation: number): DecodedImage {
  if (orientation === 1) return image;
  const { width: w, height: h, rgba } = image;
  const swap = orientation >= 5;
  const [width, height] = swap ? [h, w] : [w, h];
  const source: Record<number, (x: number, y: number) => [number, number]> = {
    2: (x, y) => [w - 1 - x, y],
    3: (x, y) => [w - 1 - x, h - 1 - y],
    4: (x, y) => [x, h - 1 - y],
    5: (x, y) => [y, x],
    6: (x, y) => [y, h - 1 - x],
    7: (x, y) => [w - 1 - y, h - 1 - x],
    8: (x, y) => [w - 1 - y, x],
  };
  const from = source[orientation];
  const out = new Uint8Array(rgba.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = from(x, y);
      out.set(rgba.subarray((sy * w + sx) * 4, (sy * w + sx) * 4 + 4), (y * width + x) * 4);
    }
  }
  return { width, height, rgba: out };
}
