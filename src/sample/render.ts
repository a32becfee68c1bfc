/**
 * Generator output (float32, in the model's output range) -> the format a caller asked for.
 * Shared by the worker runtime, the service worker and the CLI.
 */
import type { OutputRange } from '../models/config';
import { ConfigError } from '../utils/errors';
import { scatterPlot } from '../viz/plot';
import { encodePng, imageGrid, toUint8 } from './png';

/**
 * float32: the generator's raw output, [n, ...outputShape].
 * rgba: images as 8-bit RGBA, [n, height, width, 4], ready for ImageData.
 * png: one PNG, a grid of the images (or a scatter plot for 2-D samples).
 */
export type SampleFormat = 'float32' | 'rgba' | 'png';
export const SAMPLE_FORMATS: readonly SampleFormat[] = ['float32', 'rgba', 'png'];

/** Arrays over a plain ArrayBuffer: what `new ImageData(values, ...)` and `new Blob([png])` take. */
export type SampleResult =
  | { format: 'float32'; shape: number[]; values: Float32Array<ArrayBuffer> }
  | { format: 'rgba'; shape: number[]; values: Uint8ClampedArray<ArrayBuffer> }
  | { format: 'png'; width: number; height: number; png: Uint8Array<ArrayBuffer> };

const OPAQUE = 255;

export function renderSamples(
  values: Float32Array<ArrayBuffer>,
  shape: number[],
  outputRange: OutputRange,
  format: SampleFormat,
): SampleResult {
  if (format === 'float32') return { format, shape, values };
  const isPoints = shape.length === 2 && shape[1] === 2;
  if (format === 'png' && isPoints) {
    const plot = scatterPlot(values);
    return { format, width: plot.width, height: plot.height, png: encodePng(plot) };
  }
  const [n, height, width, channels] = shape;
  if (shape.length !== 4 || (channels !== 1 && channels !== 3)) {
    throw new ConfigError(
      `format '${format}' needs image samples [n, height, width, 1 or 3], this model makes [${shape.join(', ')}]: use 'float32'`,
      'bad-format',
    );
  }
  if (outputRange === null) {
    throw new ConfigError(
      `format '${format}' needs the model's pixel range, and this model's output is linear: use 'float32'`,
      'bad-format',
    );
  }
  const pixels = toUint8(values, outputRange);
  if (format === 'png') {
    const grid = imageGrid(pixels, shape);
    return { format, width: grid.width, height: grid.height, png: encodePng(grid) };
  }
  const rgba = new Uint8ClampedArray(n * height * width * 4);
  for (let p = 0, q = 0; p < pixels.length; p += channels, q += 4) {
    rgba[q] = pixels[p];
    rgba[q + 1] = pixels[channels === 1 ? p : p + 1];
    rgba[q + 2] = pixels[channels === 1 ? p : p + 2];
    rgba[q + 3] = OPAQUE;
  }
  return { format, shape: [n, height, width, 4], values: rgba };
}

/** The buffers of a result, for Comlink.transfer (each may appear once). */
export function resultBuffers(result: SampleResult): Transferable[] {
  return [result.format === 'png' ? result.png.buffer : result.values.buffer] as Transferable[];
}
