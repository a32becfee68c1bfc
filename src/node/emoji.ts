/**
 * Node-only loader for emoji artwork, the data of the colour model (issue: a class-conditional
 * colour generator): Noto Emoji's 64x64 PNGs from the npm package `emoji-datasource-google`
 * (images Apache-2.0; the package's code MIT), labelled by the package's categories.
 *
 * 32x32 RGB on white, not RGBA: the 32x32x3 networks take it as it is, an app shows emoji on a
 * light page far more often than on a dark one, and Noto's alpha is a silhouette, not a layer
 * an app composites. The category 'Component' (skin-tone swatches, hair pieces: five images)
 * is dropped; the other nine stay classes. Skin-tone variations are left out, so people are not
 * five times as common as the rest.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { toImageArray } from '../data/image_pixels';
import type { ImageArray } from '../data/images';
import { decodeImage } from '../io/image_files';
import { readRegularFile } from '../io/node_files';

/** The package, the version its metadata was read from, and what to install. */
export const EMOJI_PACKAGE = 'emoji-datasource-google';
const INSTALL = `npm install --no-save ${EMOJI_PACKAGE}@16 (74 MB; images Apache-2.0)`;
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
const IMAGE_FOLDER = join('img', 'google', '64');
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
  /** The package folder; default: the installed emoji-datasource-google. */
  directory?: string;
  /** Keep only the first `limit` images (in the package's sort order). */
  limit?: number;
}

interface EmojiEntry {
  name: string;
  image: string;
  category: string;
  sort_order: number;
  has_img_google: boolean;
}

/** Where the installed package is; a clear error naming the install when it is not. */
export function emojiDirectory(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${EMOJI_PACKAGE}/package.json`));
  } catch {
    throw new Error(`emoji: the npm package '${EMOJI_PACKAGE}' is not installed: ${INSTALL}`);
  }
}

/** The emoji with a Google image in the nine categories, in sort order, as 32x32 RGB on white. */
export async function loadEmoji(options: EmojiOptions = {}): Promise<EmojiSet> {
  const directory = options.directory ?? emojiDirectory();
  const metadataFile = join(directory, 'emoji.json');
  const entries = parseMetadata(
    await readRegularFile(metadataFile, MAX_METADATA_BYTES, 'the size of emoji metadata'),
    metadataFile,
  )
    .filter((e) => e.has_img_google && (EMOJI_CATEGORIES as readonly string[]).includes(e.category))
    .sort((a, b) => a.sort_order - b.sort_order)
    .slice(0, options.limit);
  const decoded = await Promise.all(
    entries.map(async (e) => {
      const file = join(directory, IMAGE_FOLDER, e.image);
      return decodeImage(await readRegularFile(file, MAX_IMAGE_BYTES, 'the size of a 64x64 emoji PNG'), file);
    }),
  );
  return {
    images: toImageArray(decoded, EMOJI_SIDE, 3),
    labels: Int32Array.from(entries, (e) => (EMOJI_CATEGORIES as readonly string[]).indexOf(e.category)),
    names: entries.map((e) => e.name),
  };
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
