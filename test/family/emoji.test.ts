// The emoji loader on a tiny package made here (emoji.json and 64x64 PNGs laid out as
// emoji-datasource-google and emoji-datasource-twitter lay them out): which entries become
// images, their labels and order, and the pixels, composited over white and averaged down to
// 32x32; and the arrays saveEmojiArrays writes for the PyTorch twin.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMOJI_CATEGORIES, loadEmoji, saveEmojiArrays } from '../../src/node/emoji';

const SIDE = 64;

/** A 64x64 RGBA PNG: `rgba` in the top-left 32x32 quarter, `rest` elsewhere. */
function png(rgba: number[], rest: number[]): Uint8Array {
  const data = new Uint8Array(SIDE * SIDE * 4);
  for (let y = 0; y < SIDE; y++)
    for (let x = 0; x < SIDE; x++) data.set(x < 32 && y < 32 ? rgba : rest, (y * SIDE + x) * 4);
  return encode({ width: SIDE, height: SIDE, channels: 4, depth: 8, data });
}

const ENTRIES = [
  { name: 'FLAG X', image: 'f1.png', category: 'Flags', sort_order: 30, has_img_google: true, has_img_twitter: true },
  {
    name: 'GRINNING FACE',
    image: 'g.png',
    category: 'Smileys & Emotion',
    sort_order: 1,
    has_img_google: true,
    has_img_twitter: false,
  },
  {
    name: 'NO GOOGLE IMAGE',
    image: 'n.png',
    category: 'Objects',
    sort_order: 2,
    has_img_google: false,
    has_img_twitter: true,
  },
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
    // Twemoji's drawings of two of them, in its own folder.
    await mkdir(join(dir, 'img', 'twitter', '64'), { recursive: true });
    await writeFile(join(dir, 'img', 'twitter', '64', 'f1.png'), png([9, 9, 9, 255], [9, 9, 9, 255]));
    await writeFile(join(dir, 'img', 'twitter', '64', 'n.png'), png([200, 100, 50, 255], [200, 100, 50, 255]));
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

  it("reads Twemoji's images (artwork 'twitter') by their own flag and folder", async () => {
    const set = await loadEmoji({ directory: dir, artwork: 'twitter' });
    expect(set.names).toEqual(['NO GOOGLE IMAGE', 'FLAG X']);
    expect(Array.from(set.labels).map((l) => EMOJI_CATEGORIES[l])).toEqual(['Objects', 'Flags']);
    expect(Array.from(set.images.data.subarray(0, 3))).toEqual([200, 100, 50]);
    expect(Array.from(set.images.data.subarray(32 * 32 * 3, 32 * 32 * 3 + 3))).toEqual([9, 9, 9]);
    await expect(loadEmoji({ directory: dir, artwork: 'apple' as 'google' })).rejects.toThrow(
      /artwork must be one of google, twitter, got 'apple'/,
    );
  });

  it('saveEmojiArrays writes uint8 .npy files the twin reads: a header naming dtype and shape, then the bytes', async () => {
    const set = await loadEmoji({ directory: dir });
    const out = join(dir, 'arrays');
    await saveEmojiArrays(set, out);
    const [images, labels] = await Promise.all([readFile(join(out, 'images.npy')), readFile(join(out, 'labels.npy'))]);
    // .npy 1.0: magic, version, a little-endian header length, the header, then the data.
    const header = (b: Buffer) => b.subarray(10, 10 + b.readUInt16LE(8)).toString('latin1');
    expect(header(images)).toMatch(/^\{'descr': '\|u1', 'fortran_order': False, 'shape': \(3, 32, 32, 3\), \}/);
    expect(header(labels)).toMatch(/'shape': \(3,\)/);
    expect(Buffer.compare(images.subarray(10 + images.readUInt16LE(8)), Buffer.from(set.images.data))).toBe(0);
    expect(Array.from(labels.subarray(10 + labels.readUInt16LE(8)))).toEqual([0, 3, 8]);
    expect(JSON.parse(await readFile(join(out, 'names.json'), 'utf8'))).toEqual(set.names);
    await expect(saveEmojiArrays({ ...set, labels: Int32Array.from([0, 9, 1]) }, out)).rejects.toThrow(
      /label 9 at index 1 is outside 0\.\.8/,
    );
    await expect(
      saveEmojiArrays({ ...set, images: { data: new Float32Array(3 * 32 * 32 * 3), shape: [3, 32, 32, 3] } }, out),
    ).rejects.toThrow(/expected uint8 pixels .* got a Float32Array/);
    await expect(saveEmojiArrays({ ...set, names: ['one'] }, out)).rejects.toThrow(
      /expected images \[n, 32, 32, 3\] with n labels and names, got \[3,32,32,3\] with 3 labels and 1 names/,
    );
  });
});
