import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { encodePng, imageGrid, toUint8 } from '../../src/sample/png';
import { linePlot, scatterPlot, COLORS } from '../../src/viz/plot';

describe('pixels', () => {
  it('maps the output range to 0..255 with clamping', () => {
    expect([...toUint8(new Float32Array([-1, 0, 1, 2, -3]), [-1, 1])]).toEqual([0, 128, 255, 255, 0]);
    expect([...toUint8(new Float32Array([0, 0.5, 1]), [0, 1])]).toEqual([0, 128, 255]);
  });

  it('lays images out in a grid and encodes a PNG that decodes to the same pixels', () => {
    const n = 5,
      h = 3,
      w = 2,
      c = 1;
    const images = Uint8Array.from({ length: n * h * w * c }, (_, i) => (i * 7) % 256);
    const grid = imageGrid(images, [n, h, w, c], 3, 1);
    expect([grid.width, grid.height]).toEqual([3 * 2 + 4, 2 * 3 + 3]);
    // Image 4 sits in row 1, column 1: its top-left pixel is at (1 + 2 + 1, 1 + 3 + 1).
    expect(grid.data[(5 * grid.width + 4) * c]).toBe(images[4 * h * w * c]);
    const png = decode(encodePng(grid));
    expect([png.width, png.height, png.channels]).toEqual([grid.width, grid.height, 1]);
    expect(Uint8Array.from(png.data)).toEqual(grid.data);
  });

  it('plots points where they belong', () => {
    const r = scatterPlot(new Float32Array([0, 0]), { size: 100, extent: 1 });
    // (0, 0) maps to the middle of the 100 px plot.
    expect([...r.data.subarray((50 * 100 + 50) * 3, (50 * 100 + 50) * 3 + 3)]).toEqual([...COLORS.sample]);
    const l = linePlot([{ x: [0, 1, 2], y: [3, 2, 1] }], { width: 200, height: 100 });
    expect(l.data.some((v, i) => i % 3 === 0 && v === COLORS.sample[0])).toBe(true);
  });
});
