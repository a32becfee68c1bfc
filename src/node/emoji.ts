/**
 * Node-only loader for emoji artwork, the data of the colour model (issue: a class-conditional
 * colour generator): Noto Emoji's 64x64 PNGs from the npm package `emoji-datasource-google`
 * (images Apache-2.0; the package's code MIT), labelled by the package's categories. The same
 * emoji drawn by another artist, Twemoji (`emoji-datasource-twitter`, images CC-BY 4.0), is
 * held-out artwork the emoji classifier learns from (`artwork: 'twitter'`), beside Microsoft's
 * Fluent Emoji (MIT; SVGs, drawn by scripts/fluent_emoji.ts).
 *
 * 32x32 RGB on white, not RGBA: the 32x32x3 networks take it as it is, an app shows emoji on a
 * light page far more often than on a dark one, and Noto's alpha is a silhouette, not a layer
 * an app composites. The category 'Component' (skin-tone swatches, hair pieces: five images)
 * is dropped; the other nine stay classes. Skin-tone variations are left out, so people are not
 * five times as common as the rest.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { toImageArray } from '../data/image_pixels';
import type { ImageArray } from '../data/images';
import { decodeImage } from '../io/image_files';
import { readRegularFile } from '../io/node_files';
import { npyFile } from '../io/npy';

/** Whose drawings: Noto Emoji (the training data) or Twemoji (held-out artwork of the classifier). */
export type EmojiArtwork = 'google' | 'twitter';
/** The package of the training artwork (Noto), and each artwork's package, licence and install line. */
export const EMOJI_PACKAGE = 'emoji-datasource-google';
export const EMOJI_PACKAGES: Record<EmojiArtwork, string> = {
  google: EMOJI_PACKAGE,
  twitter: 'emoji-datasource-twitter',
};
const IMAGE_LICENSES: Record<EmojiArtwork, string> = { google: 'Apache-2.0', twitter: 'CC-BY-4.0' };
const install = (artwork: EmojiArtwork) =>
  `npm install --no-save ${EMOJI_PACKAGES[artwork]}@16 (images ${IMAGE_LICENSES[artwork]}; several npm installs with --no-save drop each other: name them in one)`;
/** The classes, in label order: the package's categories, 'Component' left out. */
export const EMOJI_CATEGORIES = [
  'Smileys & Emotion',
  'People & Body',
  'Animals & Nature',
  'Food & Drink',
  'Travel & Places',
  'Activities',
  'Objects',
  'Symbols',
  'Flags',
] as const;
export const EMOJI_SIDE = 32;
/** The files saveEmojiArrays writes and the PyTorch twin's `--data emoji` reads. */
export const EMOJI_ARRAY_FILES = { images: 'images.npy', labels: 'labels.npy', names: 'names.json' } as const;
/** emoji.json is ~1 MB; a PNG of 64x64 at most a few KB. */
const MAX_METADATA_BYTES = 32 * 1024 * 1024;
const MAX_IMAGE_BYTES = 1024 * 1024;

export interface EmojiSet {
  /** [n, 32, 32, 3] uint8, composited over white. */
  images: ImageArray;
  /** Each image's class: an index into EMOJI_CATEGORIES. */
  labels: Int32Array;
  /** Each image's Unicode name, for the model card's grids. */
  names: string[];
}

export interface EmojiOptions {
  /** Noto Emoji ('google', the default) or Twemoji ('twitter'). */
  artwork?: EmojiArtwork;
  /** The package folder; default: the artwork's installed package. */
  directory?: string;
  /** Keep only the first `limit` images (in the package's sort order). */
  limit?: number;
}

interface EmojiEntry {
  name: string;
  image: string;
  category: string;
  sort_order: number;
  has_img_google?: boolean;
  has_img_twitter?: boolean;
}

/** Where the artwork's installed package is; a clear error naming the install when it is not. */
export function emojiDirectory(artwork: EmojiArtwork = 'google'): string {
  const name = EMOJI_PACKAGES[artwork];
  try {
    return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  } catch {
    throw new Error(`emoji: the npm package '${name}' is not installed: ${install(artwork)}`);
  }
}

/** The emoji with an image of the artwork in the nine categories, in sort order, as 32x32 RGB on white. */
export async function loadEmoji(options: EmojiOptions = {}): Promise<EmojiSet> {
  const artwork = options.artwork ?? 'google';
  if (!(artwork in EMOJI_PACKAGES))
    throw new Error(`emoji: artwork must be one of ${Object.keys(EMOJI_PACKAGES).join(', ')}, got '${artwork}'`);
  const directory = options.directory ?? emojiDirectory(artwork);
  const metadataFile = join(directory, 'emoji.json');
  const hasImage = artwork === 'google' ? 'has_img_google' : 'has_img_twitter';
  const entries = parseMetadata(
    await readRegularFile(metadataFile, MAX_METADATA_BYTES, 'the size of emoji metadata'),
    metadataFile,
  )
    .filter((e) => e[hasImage] === true && (EMOJI_CATEGORIES as readonly string[]).includes(e.category))
    .sort((a, b) => a.sort_order - b.sort_order)
    .slice(0, options.limit);
  const decoded = await Promise.all(
    entries.map(async (e) => {
      const file = join(directory, 'img', artwork, '64', e.image);
      return decodeImage(await readRegularFile(file, MAX_IMAGE_BYTES, 'the size of a 64x64 emoji PNG'), file);
    }),
  );
  return {
    images: toImageArray(decoded, EMOJI_SIDE, 3),
    labels: Int32Array.from(entries, (e) => (EMOJI_CATEGORIES as readonly string[]).indexOf(e.category)),
    names: entries.map((e) => e.name),
  };
}

/**
 * Writes a set as the PyTorch twin's `--data emoji --data-dir DIR` reads it (the twin has no PNG
 * decoder): DIR/images.npy (uint8 [n, 32, 32, 3]), DIR/labels.npy (uint8 [n], indices into
 * EMOJI_CATEGORIES) and DIR/names.json (each image's name).
 */
export async function saveEmojiArrays(set: EmojiSet, directory: string): Promise<void> {
  const [n, ...shape] = set.images.shape;
  if (shape.join() !== [EMOJI_SIDE, EMOJI_SIDE, 3].join() || set.labels.length !== n || set.names.length !== n)
    throw new Error(
      `saveEmojiArrays: expected images [n, ${EMOJI_SIDE}, ${EMOJI_SIDE}, 3] with n labels and names, got [${set.images.shape}] with ${set.labels.length} labels and ${set.names.length} names`,
    );
  const bad = set.labels.findIndex((l) => !(l >= 0 && l < EMOJI_CATEGORIES.length));
  if (bad >= 0)
    throw new Error(
      `saveEmojiArrays: label ${set.labels[bad]} at index ${bad} is outside 0..${EMOJI_CATEGORIES.length - 1}`,
    );
  const pixels = set.images.data;
  if (!(pixels instanceof Uint8Array))
    throw new Error(`saveEmojiArrays: expected uint8 pixels (as loadEmoji gives), got a ${pixels.constructor.name}`);
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, EMOJI_ARRAY_FILES.images), npyFile(pixels, set.images.shape));
  await writeFile(join(directory, EMOJI_ARRAY_FILES.labels), npyFile(Uint8Array.from(set.labels), [n]));
  await writeFile(join(directory, EMOJI_ARRAY_FILES.names), JSON.stringify(set.names) + '\n');
}

function parseMetadata(bytes: Uint8Array, file: string): EmojiEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`${file}: is not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(json)) throw new Error(`${file}: expected a list of emoji, got ${typeof json}`);
  for (const [i, e] of json.entries()) {
    const ok =
      typeof e?.image === 'string' &&
      /^[\w-]+\.png$/.test(e.image) &&
      typeof e.category === 'string' &&
      Number.isFinite(e.sort_order);
    if (!ok)
      throw new Error(
        `${file}: entry ${i} lacks a plain image file name, a category or a sort_order: ${JSON.stringify(e).slice(0, 200)}`,
      );
  }
  return json as EmojiEntry[];
}
