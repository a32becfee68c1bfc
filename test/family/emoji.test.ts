// The emoji loader on a tiny package made here (emoji.json and 64x64 PNGs laid out as
// emoji-datasource-google lays them out): which entries become images, their labels and order,
// and the pixels, composited over white and averaged down to 32x32.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMOJI_CATEGORIES, loadEmoji } from '../../src/node/emoji';

const SIDE = 64;

/** A 64x64 RGBA PNG: `rgba` in the top-left 32x32 quarter, `rest` elsewhere. */
function png(rgba: number[], rest: number[]): Uint8Array {
  const data = new Uint8Array(SIDE * SIDE * 4);
  for (let y = 0; y < SIDE; y++)
    for (let x = 0; x < SIDE; x++) data.set(x < 32 && y < 32 ? rgba : rest, (y * SIDE + x) * 4);
  return encode({ width: SIDE, height: SIDE, channels: 4, depth: 8, data });
}

const ENTRIES = [
  { name: 'FLAG X', image: 'f1.png', category: 'Flags', sort_order: 30, has_img_google: true },
  { name: 'GRINNING FACE', image: 'g.png', category: 'Smileys & Emotion', sort_order: 1, has_img_google: true },
  { name: 'NO GOOGLE IMAGE', image: 'n.png', category: 'Objects', sort_order: 2, has_img_google: false },
  { name: 'SKIN TONE', image: 's.png', category: 'Component', sort_order: 3, has_img_google: true },
  { name: 'HALF CLEAR FOOD', image: 'h.png', category: 'Food & Drink', sort_order: 10, has_img_google: true },
];

describe('loadEmoji', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-emoji-'));
    await mkdir(join(dir, 'img', 'google', '64'), { recursive: true });
    await writeFile(join(dir, 'emoji.json'), JSON.stringify(ENTRIES));
    const images: Record<string, Uint8Array> = {
      'f1.png': png([255, 0, 0, 255], [0, 0, 255, 255]),
      'g.png': png([0, 0, 0, 0], [0, 255, 0, 255]),
      's.png': png([1, 2, 3, 255], [1, 2, 3, 255]),
      'h.png': png([0, 0, 0, 128], [10, 20, 30, 255]),
    };
    await Promise.all(
      Object.entries(images).map(([name, bytes]) => writeFile(join(dir, 'img', 'google', '64', name), bytes)),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps the entries with a Google image in the nine categories, in sort order, with their labels', async () => {
    const set = await loadEmoji({ directory: dir });
    expect(set.names).toEqual(['GRINNING FACE', 'HALF CLEAR FOOD', 'FLAG X']);
    expect(Array.from(set.labels).map((l) => EMOJI_CATEGORIES[l])).toEqual([
      'Smileys & Emotion',
      'Food & Drink',
      'Flags',
    ]);
    expect(set.images.shape).toEqual([3, 32, 32, 3]);
    expect((await loadEmoji({ directory: dir, limit: 2 })).names).toEqual(['GRINNING FACE', 'HALF CLEAR FOOD']);
  });

  it('composites over white and averages 2x2 blocks down to 32x32', async () => {
    const { images } = await loadEmoji({ directory: dir });
    const pixel = (i: number, y: number, x: number) =>
      Array.from(images.data.subarray(((i * 32 + y) * 32 + x) * 3, ((i * 32 + y) * 32 + x) * 3 + 3));
    // Transparent becomes white; opaque stays its colour.
    expect([pixel(0, 0, 0), pixel(0, 31, 31)]).toEqual([
      [255, 255, 255],
      [0, 255, 0],
    ]);
    // Black at alpha 128/255 over white: 255 * (1 - 128/255) = 127.
    expect(pixel(1, 3, 3)).toEqual([127, 127, 127]);
    expect([pixel(2, 5, 5), pixel(2, 20, 20)]).toEqual([
      [255, 0, 0],
      [0, 0, 255],
    ]);
  });

  it('names the file and the fault: a missing image, metadata that is not a list', async () => {
    const broken = join(dir, 'broken');
    await mkdir(join(broken, 'img', 'google', '64'), { recursive: true });
    await writeFile(join(broken, 'emoji.json'), JSON.stringify([ENTRIES[0]]));
    await expect(loadEmoji({ directory: broken })).rejects.toThrow(/broken\/img\/google\/64\/f1\.png/);
    await writeFile(join(broken, 'emoji.json'), '{"not": "a list"}');
    await expect(loadEmoji({ directory: broken })).rejects.toThrow(/emoji\.json: expected a list of emoji/);
  });
});
