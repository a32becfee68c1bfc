/**
 * A fine-tune's images as users have them (File, Blob, ImageBitmap, ImageData, PNG/JPEG bytes,
 * or an { data, shape } array of any size) -> one array at the model's size and channels.
 * Browsers and workers decode files with createImageBitmap and an OffscreenCanvas (every format
 * the browser reads, EXIF orientation applied); Node, and bytes anywhere, with fast-png and
 * jpeg-js (image_files.ts). Each image is resized to the model's side (an area average,
 * toImageArray), so a set of mixed sizes is fine; colour images for a grey model become their
 * luminance (BT.601), grey ones for a colour model their three equal channels. Something that is
 * no image is refused, named by its file name or its index.
 */
import { toImageArray, type DecodedImage } from '../data/image_pixels';
import type { ImageArray } from '../data/images';
import { FineTuneInputError } from '../train/finetune';
import { decodeImage } from './image_files';

/** One image: a File or Blob (PNG, JPEG, or any format the browser decodes), an ImageBitmap, an ImageData, or PNG/JPEG bytes. */
export type FineTuneImage = Blob | ImageBitmap | ImageData | Uint8Array | ArrayBuffer;

/** A fine-tune's images: a list of images, or an array of them ([n, h, w, 1, 3 or 4], uint8 or floats in [0, 1]) at any size. */
export type FineTuneImages = ImageArray | readonly FineTuneImage[];

/** Browsers scale a photo down to this many pixels a side as they decode it, before the area average. */
const MAX_DECODED_SIDE = 512;

/**
 * The images as a uint8 array [n, side, side, channels] of the model's `outputShape`; an array
 * already of that shape is returned as it is (floats stay floats).
 */
export async function fineTuneImageArray(images: FineTuneImages, outputShape: readonly number[]): Promise<ImageArray> {
  if (outputShape.length !== 3)
    throw new FineTuneInputError(
      `fine-tune images: the model draws [${outputShape}] points, not images`,
      'image-shape',
    );
  const [side, , channels] = outputShape as [number, number, 1 | 3];
  if (Array.isArray(images))
    return toImageArray(await Promise.all(images.map((image, i) => decodeOne(image, i))), side, channels);
  const array = images as ImageArray;
  if (array == null || typeof array !== 'object' || !('shape' in array) || !('data' in array)) {
    throw new FineTuneInputError(
      `fine-tune images: expected a list of images (File, Blob, ImageBitmap, ImageData, PNG/JPEG bytes) or { data, shape }, got ${describe(images)}`,
      'not-an-image',
    );
  }
  const { shape } = array;
  if (Array.isArray(shape) && shape.length === 4 && shape[1] === side && shape[2] === side && shape[3] === channels)
    return array;
  return toImageArray(pixelsOf(array), side, channels);
}

async function decodeOne(image: unknown, index: number): Promise<DecodedImage> {
  const name =
    typeof File !== 'undefined' && image instanceof File ? `${image.name} (image ${index})` : `image ${index}`;
  if (typeof Blob !== 'undefined' && image instanceof Blob) {
    if (canDrawBitmaps()) {
      const bitmap = await createImageBitmap(image, { imageOrientation: 'from-image' }).catch(() => {
        throw new FineTuneInputError(
          `${name}: not an image this browser can decode (type '${image.type || 'unknown'}', ${image.size} bytes)`,
          'not-an-image',
        );
      });
      return bitmapPixels(bitmap, true);
    }
    return decodeBytes(new Uint8Array(await image.arrayBuffer()), name);
  }
  if (typeof ImageBitmap !== 'undefined' && image instanceof ImageBitmap) return bitmapPixels(image, false);
  if (isImageData(image)) {
    const { width, height, data } = image;
    return { width, height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  }
  if (image instanceof Uint8Array || image instanceof ArrayBuffer)
    return decodeBytes(image instanceof Uint8Array ? image : new Uint8Array(image), name);
  throw new FineTuneInputError(
    `${name}: expected a File, Blob, ImageBitmap, ImageData or PNG/JPEG bytes, got ${describe(image)}`,
    'not-an-image',
  );
}

function decodeBytes(bytes: Uint8Array, name: string): DecodedImage {
  try {
    return decodeImage(bytes, name);
  } catch (e) {
    throw new FineTuneInputError((e as Error).message, 'not-an-image');
  }
}

const canDrawBitmaps = () => typeof createImageBitmap === 'function' && typeof OffscreenCanvas === 'function';

/** A bitmap's RGBA pixels, scaled down to MAX_DECODED_SIDE; `owned`: closed once read. */
function bitmapPixels(bitmap: ImageBitmap, owned: boolean): DecodedImage {
  const scale = Math.min(1, MAX_DECODED_SIDE / Math.max(bitmap.width, bitmap.height));
  const [width, height] = [
    Math.max(1, Math.round(bitmap.width * scale)),
    Math.max(1, Math.round(bitmap.height * scale)),
  ];
  const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0, width, height);
  if (owned) bitmap.close();
  const { data } = context.getImageData(0, 0, width, height);
  return { width, height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** An ImageData, or an object of its shape (Node has no ImageData). */
function isImageData(value: unknown): value is ImageData {
  if (value == null || typeof value !== 'object') return false;
  const { width, height, data } = value as ImageData;
  return (
    Number.isInteger(width) &&
    Number.isInteger(height) &&
    data instanceof Uint8ClampedArray &&
    data.length === width * height * 4
  );
}

/** An array's images as RGBA pixels, for resizing: 1, 3 or 4 channels, uint8 or floats in [0, 1]. */
function pixelsOf({ data, shape }: ImageArray): DecodedImage[] {
  if (
    !Array.isArray(shape) ||
    shape.length !== 4 ||
    !shape.every((d) => Number.isInteger(d) && d >= 0) ||
    ![1, 3, 4].includes(shape[3])
  ) {
    throw new FineTuneInputError(
      `fine-tune images: expected { data, shape: [n, height, width, 1, 3 or 4] }, got shape ${JSON.stringify(shape)}`,
      'image-shape',
    );
  }
  const [count, height, width, channels] = shape;
  if (!(data instanceof Uint8Array) && !(data instanceof Float32Array)) {
    throw new FineTuneInputError(
      'fine-tune images: data must be a Uint8Array (0..255) or a Float32Array in [0, 1]',
      'image-shape',
    );
  }
  if (data.length !== count * height * width * channels) {
    throw new FineTuneInputError(
      `fine-tune images: shape [${shape}] needs ${count * height * width * channels} values, the data has ${data.length}`,
      'image-shape',
    );
  }
  const scale = data instanceof Float32Array ? 255 : 1;
  return Array.from({ length: count }, (_, n) => {
    const rgba = new Uint8Array(height * width * 4);
    for (let p = 0; p < height * width; p++) {
      const at = (n * height * width + p) * channels;
      const value = (c: number) => Math.round(Math.min(255, Math.max(0, data[at + c] * scale)));
      const [r, g, b] = channels === 1 ? [value(0), value(0), value(0)] : [value(0), value(1), value(2)];
      rgba.set([r, g, b, channels === 4 ? value(3) : 255], p * 4);
    }
    return { width, height, rgba };
  });
}

function describe(value: unknown): string {
  if (value == null) return String(value);
  if (typeof value !== 'object') return `a ${typeof value}`;
  return `a ${value.constructor?.name ?? 'plain object'}`;
}
