// A user's own images on their way to training: PNG/JPEG bytes -> RGBA (io/image_files.ts) ->
// a training array of the network's size, and the background checks fine-tuning relies on
// (data/image_pixels.ts). Checked against pixel sums written out here, and on real MNIST digits.
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import {
  backgroundLevels,
  backgroundOf,
  backgroundsDisagree,
  invertImages,
  isGreyscale,
  toImageArray,
  type DecodedImage,
} from '../../src/data/image_pixels';
import { decodeImage } from '../../src/io/image_files';
import { loadMnist } from '../../src/node/mnist';

/** A width x height RGBA image whose pixel (x, y) is `pixel(x, y)`. */
function image(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number, number],
): DecodedImage {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgba.set(pixel(x, y), (y * width + x) * 4);
  return { width, height, rgba };
}

/** Pseudo-random bytes, the same on every run. */
const noise = (x: number, y: number, c: number) => (x * 73 + y * 151 + c * 29 + ((x * y) % 7) * 13) % 256;

describe('user images', () => {
  it('decodes PNG (grey, grey+alpha, RGB, RGBA, 16-bit, palette) to RGBA, and JPEG within its loss', () => {
    const rgb = image(5, 3, (x, y) => [noise(x, y, 0), noise(x, y, 1), noise(x, y, 2), 255]);
    const pixels = (channels: number) => rgb.rgba.filter((_, i) => i % 4 < channels);
    const asRgb = decodeImage(encodePng({ width: 5, height: 3, data: pixels(3), channels: 3 }), 'rgb.png');
    expect(asRgb).toEqual(rgb);
    const rgba = image(5, 3, (x, y) => [noise(x, y, 0), noise(x, y, 1), noise(x, y, 2), noise(x, y, 3)]);
    expect(decodeImage(encodePng({ width: 5, height: 3, data: rgba.rgba, channels: 4 }), 'rgba.png')).toEqual(rgba);
    const grey = Uint8Array.from({ length: 15 }, (_, i) => noise(i % 5, Math.floor(i / 5), 0));
    const fromGrey = decodeImage(encodePng({ width: 5, height: 3, data: grey, channels: 1 }), 'grey.png');
    expect(Array.from(fromGrey.rgba)).toEqual(Array.from(grey).flatMap((v) => [v, v, v, 255]));
    const greyAlpha = Uint8Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? grey[i / 2] : 100));
    expect(
      Array.from(decodeImage(encodePng({ width: 5, height: 3, data: greyAlpha, channels: 2 }), 'ga.png').rgba),
    ).toEqual(Array.from(grey).flatMap((v) => [v, v, v, 100]));
    const deep = Uint16Array.from(grey, (v) => v * 257);
    expect(decodeImage(encodePng({ width: 5, height: 3, data: deep, channels: 1, depth: 16 }), 'deep.png')).toEqual(
      fromGrey,
    );

    // Palette PNGs, as optimisers write them: 2-bit indices into RGB, and 8-bit ones into RGBA (tRNS).
    const palette: [number, number, number][] = [
      [0, 0, 0],
      [250, 20, 30],
      [12, 200, 90],
      [255, 255, 255],
    ];
    const indices = Uint8Array.from({ length: 15 }, (_, i) => (i * 7) % 4);
    const fromPalette = (colours: number[][]) =>
      Array.from(indices).flatMap((k) => (colours[k].length === 4 ? colours[k] : [...colours[k], 255]));
    // 2-bit rows are packed, four pixels a byte from the high bits, each row starting a byte.
    const packed = new Uint8Array(3 * 2);
    indices.forEach(
      (k, i) => (packed[Math.floor(i / 5) * 2 + Math.floor((i % 5) / 4)] |= k << (6 - 2 * ((i % 5) % 4))),
    );
    const twoBit = encodePng({ width: 5, height: 3, data: packed, channels: 1, depth: 2, palette });
    expect(Array.from(decodeImage(twoBit, 'small.png').rgba)).toEqual(fromPalette(palette));
    const translucent = palette.map(([r, g, b], k) => [r, g, b, k * 80]);
    const withAlpha = encodePng({
      width: 5,
      height: 3,
      data: indices,
      channels: 1,
      depth: 8,
      palette: translucent as [number, number, number, number][],
    });
    expect(Array.from(decodeImage(withAlpha, 'alpha.png').rgba)).toEqual(fromPalette(translucent));

    const smooth = image(16, 16, (x, y) => [x * 16, y * 16, 128, 255]);
    const jpeg = decodeImage(
      new Uint8Array(encodeJpeg({ width: 16, height: 16, data: smooth.rgba }, 95).data),
      'smooth.jpg',
    );
    expect([jpeg.width, jpeg.height]).toEqual([16, 16]);
    expect(Math.max(...jpeg.rgba.map((v, i) => Math.abs(v - smooth.rgba[i])))).toBeLessThan(12);
  });

  it('turns JPEGs upright by their EXIF orientation (1-8), big- and little-endian, as browsers do', () => {
    // 64x32, four solid quadrants aligned to JPEG's 16x16 blocks, so each decodes to its colour.
    const colours = { TL: [255, 0, 0], TR: [0, 255, 0], BL: [0, 0, 255], BR: [255, 255, 255] } as const;
    const stored = image(
      64,
      32,
      (x, y) => [...colours[`${y < 16 ? 'T' : 'B'}${x < 32 ? 'L' : 'R'}`], 255] as [number, number, number, number],
    );
    const jpeg = new Uint8Array(encodeJpeg({ width: 64, height: 32, data: stored.rgba }, 100).data);
    // The stored corner each orientation shows at the top-left, top-right and bottom-left (EXIF 2.3, tag 0x0112).
    const shown: Record<number, [string, string, string]> = {
      1: ['TL', 'TR', 'BL'],
      2: ['TR', 'TL', 'BR'],
      3: ['BR', 'BL', 'TR'],
      4: ['BL', 'BR', 'TL'],
      5: ['TL', 'BL', 'TR'],
      6: ['BL', 'TL', 'BR'],
      7: ['BR', 'TR', 'BL'],
      8: ['TR', 'BR', 'TL'],
    };
    for (let orientation = 1; orientation <= 8; orientation++) {
      const big = orientation % 2 === 0;
      const u16 = (v: number) => (big ? [v >> 8, v & 255] : [v & 255, v >> 8]);
      const u32 = (v: number) => (big ? [0, 0, ...u16(v)] : [...u16(v), 0, 0]);
      // A TIFF header, one directory of one entry (orientation, SHORT, count 1), no next directory.
      const tiff = [
        ...(big ? [0x4d, 0x4d] : [0x49, 0x49]),
        ...u16(42),
        ...u32(8),
        ...u16(1),
        ...u16(0x0112),
        ...u16(3),
        ...u32(1),
        ...u16(orientation),
        0,
        0,
        ...u32(0),
      ];
      const app1 = [
        0xff,
        0xe1,
        ...[(tiff.length + 8) >> 8, (tiff.length + 8) & 255],
        ...Array.from('Exif\0\0', (c) => c.charCodeAt(0)),
        ...tiff,
      ];
      const upright = decodeImage(
        new Uint8Array([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)]),
        `photo-${orientation}.jpg`,
      );
      expect([upright.width, upright.height], `orientation ${orientation}`).toEqual(
        orientation >= 5 ? [32, 64] : [64, 32],
      );
      const centre = (x: number, y: number) =>
        Array.from(upright.rgba.subarray((y * upright.width + x) * 4, (y * upright.width + x) * 4 + 3));
      const [w, h] = [upright.width, upright.height];
      const seen = [centre(w / 4, h / 4), centre((3 * w) / 4, h / 4), centre(w / 4, (3 * h) / 4)];
      shown[orientation].forEach((corner, i) => {
        const want = colours[corner as keyof typeof colours];
        expect(
          Math.max(...seen[i].map((v, c) => Math.abs(v - want[c]))),
          `orientation ${orientation}, corner ${i}`,
        ).toBeLessThan(24);
      });
    }
  });

  it('names the file that is not an image, or a broken one', () => {
    expect(() => decodeImage(new TextEncoder().encode('GIF89a...'), 'cat.gif')).toThrow(
      'cat.gif: not a PNG or JPEG file.',
    );
    const png = encodePng({ width: 4, height: 4, data: new Uint8Array(48), channels: 3 });
    expect(() => decodeImage(png.subarray(0, 40), 'cut.png')).toThrow(/^cut.png: cannot decode image/);
  });

  it('resizes by area averages after compositing on white, to luminance or RGB', () => {
    const source = image(6, 4, (x, y) => [noise(x, y, 0), noise(x, y, 1), noise(x, y, 2), noise(x, y, 3)]);
    // 6x4 -> 3x3: output column x reads source columns 2x and 2x+1; output row y reads rows
    // floor(4y/3) to floor(4(y+1)/3) - 1, at least one.
    const rows = [[0], [1], [2, 3]];
    const [rgb, grey] = [toImageArray([source], 3, 3), toImageArray([source], 3, 1)];
    expect(rgb.shape).toEqual([1, 3, 3, 3]);
    expect(grey.shape).toEqual([1, 3, 3, 1]);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 3; x++) {
        const covered = rows[y].flatMap((sy) =>
          [2 * x, 2 * x + 1].map((sx) => source.rgba.subarray((sy * 6 + sx) * 4, (sy * 6 + sx) * 4 + 4)),
        );
        const onWhite = [0, 1, 2].map(
          (c) => covered.reduce((sum, p) => sum + p[c] * (p[3] / 255) + 255 * (1 - p[3] / 255), 0) / covered.length,
        );
        expect(Array.from(rgb.data.subarray((y * 3 + x) * 3, (y * 3 + x) * 3 + 3))).toEqual(onWhite.map(Math.round));
        expect(grey.data[y * 3 + x]).toBe(Math.round(0.299 * onWhite[0] + 0.587 * onWhite[1] + 0.114 * onWhite[2]));
      }
    }
    expect(isGreyscale([source])).toBe(false);
    expect(isGreyscale([image(2, 2, () => [9, 9, 9, 30])])).toBe(true);
  });

  it("reads each image's background from its border, past ink that touches it", () => {
    // A light-on-dark 28x28 digit whose stroke runs off the top edge, and its negative.
    const digit = image(28, 28, (x, y) => (Math.abs(x - 14) < 3 && y < 20 ? [250, 250, 250, 255] : [12, 12, 12, 255]));
    const dark = toImageArray([digit], 28, 1);
    const light = invertImages(dark);
    expect(Array.from(light.data.subarray(0, 784))).toEqual(Array.from(dark.data, (v) => 255 - v));
    expect(dark.data[0]).toBe(12); // invertImages leaves its input alone
    expect(backgroundLevels({ data: dark.data, shape: dark.shape })).toEqual([12 / 255]);
    expect(backgroundLevels(light)).toEqual([243 / 255]);
    // Floats in [0, 1], RGB and RGBA read the same.
    const floats = { data: Float32Array.from(dark.data, (v) => v / 255), shape: dark.shape };
    expect(backgroundLevels(floats)[0]).toBeCloseTo(12 / 255, 6);
    const colour = toImageArray([digit], 28, 3);
    expect(backgroundLevels(colour)[0]).toBeCloseTo(12 / 255, 6);
    expect(backgroundLevels({ data: new Uint8ClampedArray(digit.rgba), shape: [1, 28, 28, 4] })[0]).toBeCloseTo(
      12 / 255,
      6,
    );
    // One number for a set: the median image.
    const three = {
      data: new Uint8Array([...dark.data, ...light.data, ...light.data]),
      shape: [3, 28, 28, 1] as [number, number, number, number],
    };
    expect(backgroundLevels(three)).toEqual([12 / 255, 243 / 255, 243 / 255]);
    expect(backgroundOf(three)).toBe(243 / 255);
    // Sets disagree when their levels lie more than 0.5 apart, and say both levels.
    expect(backgroundsDisagree(light, dark)).toEqual({ images: 243 / 255, model: 12 / 255 });
    expect(backgroundsDisagree(dark, floats)).toBeNull();
    const grey = { data: new Uint8Array(784).fill(139), shape: [1, 28, 28, 1] as [number, number, number, number] };
    expect(backgroundsDisagree(grey, dark)).toBeNull(); // (139 - 12) / 255 = 0.498 apart
    expect(backgroundsDisagree({ ...grey, data: grey.data.map(() => 141) }, dark)).not.toBeNull(); // 0.506 apart
  });

  it('MNIST digits read as a dark background, every one of the first 500, and their negatives as a light one', async () => {
    const digits = await loadMnist('test', { limit: 500 });
    const levels = backgroundLevels(digits);
    expect(Math.max(...levels)).toBe(0);
    expect(Math.min(...backgroundLevels(invertImages(digits)))).toBe(1);
  });
});
