/** Pixels: generator outputs -> 8-bit images -> grids -> PNG bytes, on any platform. */
import { encode } from 'fast-png';
import { ConfigError } from '../utils/errors';
import type { Raster } from '../viz/raster';

export function encodePng(raster: Raster): Uint8Array<ArrayBuffer> {
  // fast-png writes into a plain ArrayBuffer; its types say ArrayBufferLike.
  return encode({
    width: raster.width,
    height: raster.height,
    channels: raster.channels,
    depth: 8,
    data: raster.data,
  }) as Uint8Array<ArrayBuffer>;
}

/** Maps values in [low, high] (the generator's output range) to 0..255, clamping. */
export function toUint8(values: Float32Array, [low, high]: readonly [number, number]): Uint8Array {
  const out = new Uint8Array(values.length);
  const scale = 255 / (high - low);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(255, Math.max(0, Math.round((values[i] - low) * scale)));
  return out;
}

/** Lays N images of shape [H, W, C] (uint8, NHWC) out in a grid with `gap` pixels between. */
export function imageGrid(
  images: Uint8Array,
  [n, h, w, c]: readonly number[],
  columns = Math.ceil(Math.sqrt(n)),
  gap = 2,
): Raster {
  if (c !== 1 && c !== 3 && c !== 4)
    throw new ConfigError(`imageGrid: images need 1, 3 or 4 channels, got shape [${n}, ${h}, ${w}, ${c}].`, 'bad-data');
  const rows = Math.ceil(n / columns);
  const width = columns * w + (columns + 1) * gap;
  const height = rows * h + (rows + 1) * gap;
  const data = new Uint8Array(width * height * c);
  for (let i = 0; i < n; i++) {
    const x0 = gap + (i % columns) * (w + gap);
    const y0 = gap + Math.floor(i / columns) * (h + gap);
    for (let y = 0; y < h; y++) {
      const from = (i * h + y) * w * c;
      data.set(images.subarray(from, from + w * c), ((y0 + y) * width + x0) * c);
    }
  }
  return { width, height, channels: c, data };
}
