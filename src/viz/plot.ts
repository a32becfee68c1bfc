/**
 * Small raster plots with no font or canvas dependency: a scatter of 2-D samples and a line
 * chart of a training curve, as RGB rasters for PNG output (CLI, model cards, README).
 */
import type { Raster } from './raster';

type Rgb = readonly [number, number, number];
export const COLORS = {
  sample: [31, 119, 180],
  reference: [255, 127, 14],
  axis: [90, 90, 90],
  grid: [225, 225, 225],
} as const;

const MARGIN = 36;

class Canvas {
  readonly data: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 3).fill(255);
  }
  dot(x: number, y: number, color: Rgb, radius = 1): void {
    for (let dy = -radius; dy <= radius; dy++) {
      for (let dx = -radius; dx <= radius; dx++) {
        if (dx * dx + dy * dy > radius * radius + radius) continue;
        const px = Math.round(x + dx);
        const py = Math.round(y + dy);
        if (px < 0 || py < 0 || px >= this.width || py >= this.height) continue;
        this.data.set(color, (py * this.width + px) * 3);
      }
    }
  }
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, radius = 0): void {
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    for (let s = 0; s <= steps; s++)
      this.dot(x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps, color, radius);
  }
  text(s: string, x: number, y: number, color: Rgb): void {
    for (const [i, ch] of [...s].entries()) {
      const glyph = FONT[ch];
      if (glyph == null) continue;
      glyph.forEach((row, gy) => {
        for (let gx = 0; gx < 3; gx++) if ((row >> (2 - gx)) & 1) this.dot(x + i * 4 + gx, y + gy, color, 0);
      });
    }
  }
  raster(): Raster {
    return { width: this.width, height: this.height, channels: 3, data: this.data };
  }
}

/** A 3x5 pixel font for tick labels: digits, sign, point and exponent. */
const FONT: Record<string, number[]> = {
  '0': [7, 5, 5, 5, 7],
  '1': [2, 6, 2, 2, 7],
  '2': [7, 1, 7, 4, 7],
  '3': [7, 1, 7, 1, 7],
  '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7],
  '6': [7, 4, 7, 5, 7],
  '7': [7, 1, 1, 1, 1],
  '8': [7, 5, 7, 5, 7],
  '9': [7, 5, 7, 1, 7],
  '-': [0, 0, 7, 0, 0],
  '.': [0, 0, 0, 0, 2],
  e: [0, 7, 7, 4, 7],
  k: [4, 5, 6, 5, 5],
};

function label(v: number): string {
  if (Math.abs(v) >= 1000) return `${+(v / 1000).toFixed(1)}k`;
  return `${+v.toPrecision(2)}`;
}

interface Extent {
  x: [number, number];
  y: [number, number];
}

function frame(canvas: Canvas, extent: Extent, ticks = 5) {
  const w = canvas.width - 2 * MARGIN;
  const h = canvas.height - 2 * MARGIN;
  const px = (x: number) => MARGIN + ((x - extent.x[0]) / (extent.x[1] - extent.x[0])) * w;
  const py = (y: number) => MARGIN + h - ((y - extent.y[0]) / (extent.y[1] - extent.y[0])) * h;
  for (let i = 0; i <= ticks; i++) {
    const x = extent.x[0] + ((extent.x[1] - extent.x[0]) * i) / ticks;
    const y = extent.y[0] + ((extent.y[1] - extent.y[0]) * i) / ticks;
    canvas.line(px(x), MARGIN, px(x), MARGIN + h, COLORS.grid);
    canvas.line(MARGIN, py(y), MARGIN + w, py(y), COLORS.grid);
    canvas.text(label(x), px(x) - 6, MARGIN + h + 6, COLORS.axis);
    canvas.text(label(y), 2, py(y) - 2, COLORS.axis);
  }
  canvas.line(MARGIN, MARGIN + h, MARGIN + w, MARGIN + h, COLORS.axis);
  canvas.line(MARGIN, MARGIN, MARGIN, MARGIN + h, COLORS.axis);
  return { px, py };
}

/** Scatter of 2-D points (x0, y0, x1, y1, ...), optionally over reference points. */
export function scatterPlot(
  points: Float32Array,
  options: { size?: number; extent?: number; reference?: Float32Array } = {},
): Raster {
  const size = options.size ?? 512;
  const e = options.extent ?? 2;
  const canvas = new Canvas(size, size);
  const { px, py } = frame(canvas, { x: [-e, e], y: [-e, e] }, 4);
  const draw = (pts: Float32Array, color: Rgb) => {
    for (let i = 0; i + 1 < pts.length; i += 2) canvas.dot(px(pts[i]), py(pts[i + 1]), color, 1);
  };
  if (options.reference) draw(options.reference, COLORS.reference);
  draw(points, COLORS.sample);
  return canvas.raster();
}

/** Line chart of one or more series sharing an x axis (e.g. the Wasserstein estimate per step). */
export function linePlot(
  series: { x: number[]; y: number[]; color?: Rgb }[],
  options: { width?: number; height?: number } = {},
): Raster {
  const canvas = new Canvas(options.width ?? 640, options.height ?? 320);
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  const pad = (lo: number, hi: number): [number, number] => (hi > lo ? [lo, hi] : [lo - 1, hi + 1]);
  const { px, py } = frame(canvas, {
    x: pad(Math.min(...xs), Math.max(...xs)),
    y: pad(Math.min(...ys), Math.max(...ys)),
  });
  for (const s of series) {
    for (let i = 1; i < s.x.length; i++)
      canvas.line(px(s.x[i - 1]), py(s.y[i - 1]), px(s.x[i]), py(s.y[i]), s.color ?? COLORS.sample, 1);
  }
  return canvas.raster();
}
