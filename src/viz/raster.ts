/** An 8-bit image, row-major, channels interleaved (1 grey, 3 RGB, 4 RGBA): what plots draw and PNGs hold. */
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}
