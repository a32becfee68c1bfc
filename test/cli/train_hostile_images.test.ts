// `wgan-edge train --data <folder>` on hostile or careless folders: a PNG or JPEG declaring a
// huge image is refused from its header before decoding (a decompression bomb), a FIFO named
// like an image is refused unread, and a folder mixing grey and colour images says which network
// it trains and why.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import '../../src/index';
import { train } from '../../src/cli/train';
import { decodeImage, imageDimensions } from '../../src/io/image_files';
import { loadStateDir } from '../../src/io/state_file';
import type { TrainerState } from '../../src/train/state';

const SIDE = 40_000;

/** A valid 1-bit greyscale PNG of SIDE x SIDE black pixels: ~200 KB that decode to 1.6 G pixels. */
function bombPng(): Uint8Array {
  const u32 = (v: number) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const chunk = (type: string, data: Uint8Array) => {
    const body = new Uint8Array([...Array.from(type, (ch) => ch.charCodeAt(0)), ...data]);
    let crc = 0xffffffff;
    for (const b of body) crc = crcTable[(crc ^ b) & 255] ^ (crc >>> 8);
    return [...u32(data.length), ...body, ...u32((crc ^ 0xffffffff) >>> 0)];
  };
  // Each row: filter byte 0, then SIDE / 8 bytes of 1-bit pixels.
  const idat = deflateSync(Buffer.alloc(SIDE * (1 + SIDE / 8)), { level: 9 });
  const ihdr = new Uint8Array([...u32(SIDE), ...u32(SIDE), 1, 0, 0, 0, 0]);
  return new Uint8Array([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...chunk('IHDR', ihdr),
    ...chunk('IDAT', idat),
    ...chunk('IEND', new Uint8Array()),
  ]);
}

describe('train on hostile image folders', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-hostile-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses a PNG declaring 40000x40000 pixels from its header, within a second', async () => {
    const bomb = bombPng();
    expect(bomb.length).toBeLessThan(2_000_000);
    expect(imageDimensions(bomb)).toEqual({ width: SIDE, height: SIDE });
    const started = performance.now();
    expect(() => decodeImage(bomb, 'bomb.png')).toThrow(
      `bomb.png: declares ${SIDE}x${SIDE} pixels, more than the 16777216 (4096x4096) a training image may have; refused before decoding.`,
    );
    expect(performance.now() - started).toBeLessThan(1000);

    const folder = join(dir, 'bombed');
    await mkdir(folder);
    await writeFile(join(folder, 'a.png'), encodePng({ width: 2, height: 2, data: new Uint8Array(4), channels: 1 }));
    await writeFile(join(folder, 'b.png'), bomb);
    const run = performance.now();
    await expect(
      train(['--data', folder, '--backend', 'cpu', '--steps', '1', '--out', join(dir, 'never')]),
    ).rejects.toThrow(`${join(folder, 'b.png')}: declares ${SIDE}x${SIDE} pixels`);
    expect(performance.now() - run).toBeLessThan(3000);
  });

  it("reads a JPEG's size from its frame header, and refuses a huge one before decoding", () => {
    const jpeg = new Uint8Array(encodeJpeg({ width: 24, height: 16, data: new Uint8Array(24 * 16 * 4) }, 90).data);
    expect(imageDimensions(jpeg)).toEqual({ width: 24, height: 16 });
    // Patch the frame header (SOF0) to declare SIDE x SIDE.
    const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
    jpeg.set([SIDE >> 8, SIDE & 255, SIDE >> 8, SIDE & 255], sof + 5);
    expect(() => decodeImage(jpeg, 'huge.jpg')).toThrow(`huge.jpg: declares ${SIDE}x${SIDE} pixels`);
  });

  it('refuses a FIFO named like an image without waiting for a writer', async () => {
    const folder = join(dir, 'piped');
    await mkdir(folder);
    execFileSync('mkfifo', [join(folder, 'a.png')]);
    await expect(
      train(['--data', folder, '--backend', 'cpu', '--steps', '1', '--out', join(dir, 'never')]),
    ).rejects.toThrow(
      `--data ${folder}: ${join(folder, 'a.png')}: is a FIFO (named pipe), not a regular file; refused unread.`,
    );
  });

  it('says so when a few colour images make a grey folder train the colour network', async () => {
    const folder = join(dir, 'mixed');
    await mkdir(folder);
    const grey = new Uint8Array(28 * 28).map((_, i) => (i * 7) % 256);
    for (let i = 0; i < 3; i++)
      await writeFile(join(folder, `grey-${i}.png`), encodePng({ width: 28, height: 28, data: grey, channels: 1 }));
    const tinted = new Uint8Array(28 * 28 * 3).map((_, i) => (i % 3 === 0 ? 200 : 10));
    await writeFile(join(folder, 'tinted.png'), encodePng({ width: 28, height: 28, data: tinted, channels: 3 }));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = join(dir, 'mixed-run');
    try {
      await train(['--data', folder, '--backend', 'cpu', '--dim', '2', '--batch', '2', '--steps', '1', '--out', out]);
      expect(stderr.mock.calls.map((c) => String(c[0]))).toContain(
        `--data ${folder}: 1 of 4 images are in colour (tinted.png), so all train the 32x32 colour network; make them greyscale to train the 28x28 grey one.\n`,
      );
    } finally {
      stderr.mockRestore();
    }
    const { trainer } = (await loadStateDir(join(out, 'checkpoint'))) as { trainer: TrainerState };
    expect(trainer.arch.outputShape).toEqual([32, 32, 3]);
  });
});
