/**
 * Microsoft's Fluent Emoji (flat style) as a set like loadEmoji's: 32x32 RGB on white, labelled
 * by emoji-datasource's categories, the emoji classifier's second held-out artwork
 * (scripts/train_classifier.script.ts). From the npm package fluentui-emoji@1.3.0, a repackaging
 * of github.com/microsoft/fluentui-emoji (MIT): `npm install --no-save fluentui-emoji@1.3.0
 * emoji-datasource-google@16 emoji-datasource-twitter@16` (one line: each --no-save install drops
 * the others).
 *
 * The SVGs are drawn by Chromium (playwright-core, a dev dependency; /usr/bin/chromium or
 * CHROMIUM_PATH), each onto a 64x64 canvas filled white, and the pixels then take the PNG
 * artwork's path to 32x32 (toImageArray's area average), so all artwork is processed alike. The
 * result is cached (default checkpoints/emoji-fluent/, git-ignored) with the list of files it was
 * drawn from, and drawn again only when that list changes.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { toImageArray, type DecodedImage } from '../src/data/image_pixels';
import { readRegularFile } from '../src/io/node_files';
import { npyHeader } from '../src/io/npy';
import {
  EMOJI_ARRAY_FILES,
  EMOJI_CATEGORIES,
  EMOJI_SIDE,
  emojiDirectory,
  saveEmojiArrays,
  type EmojiSet,
} from '../src/node/emoji';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/helpers/chromium';
import { mapFluentFiles, type FluentMapping } from './fluent_emoji_names';

export const FLUENT_PACKAGE = 'fluentui-emoji';
export const FLUENT_CREDIT = 'Fluent Emoji by Microsoft Corporation, MIT licence, repackaged in npm fluentui-emoji';
const RENDER_SIDE = 64;
const SOURCES_FILE = 'sources.json';
const MAX_SVG_BYTES = 1024 * 1024;
const MAX_METADATA_BYTES = 32 * 1024 * 1024;
/** SVGs drawn per page.evaluate: ~1.6 MB of pixels back each time. */
const BATCH = 100;

export interface FluentSet extends EmojiSet {
  mapping: FluentMapping;
  /** The package's version, for the provenance. */
  version: string;
}

/** The package folder of fluentui-emoji; a clear error naming the install when it is absent. */
export function fluentDirectory(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${FLUENT_PACKAGE}/package.json`));
  } catch {
    throw new Error(
      `fluent emoji: the npm package '${FLUENT_PACKAGE}' is not installed: npm install --no-save ${FLUENT_PACKAGE}@1.3.0 emoji-datasource-google@16 emoji-datasource-twitter@16`,
    );
  }
}

/** The Fluent emoji that map to the nine categories, in file-name order, from the cache or drawn afresh. */
export async function loadFluentEmoji(cache = 'checkpoints/emoji-fluent'): Promise<FluentSet> {
  const directory = fluentDirectory();
  const version = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')).version as string;
  const svgFolder = join(directory, 'icons', 'flat');
  const files = (await readdir(svgFolder)).filter((f) => f.endsWith('.svg')).sort();
  const metadataFile = join(emojiDirectory('google'), 'emoji.json');
  const entries = JSON.parse(
    new TextDecoder().decode(await readRegularFile(metadataFile, MAX_METADATA_BYTES, 'the size of emoji metadata')),
  );
  const mapping = mapFluentFiles(files, entries, EMOJI_CATEGORIES);
  const sources = mapping.matched.map((m) => m.file);
  const labels = Int32Array.from(mapping.matched, (m) => m.label);
  const names = mapping.matched.map((m) => m.name);

  const cached = await readCache(cache, sources);
  if (cached != null) return { images: cached, labels, names, mapping, version };
  const svgs = await Promise.all(
    sources.map(async (f) =>
      new TextDecoder().decode(await readRegularFile(join(svgFolder, f), MAX_SVG_BYTES, 'the size of an emoji SVG')),
    ),
  );
  const images = toImageArray(await drawSvgs(svgs), EMOJI_SIDE, 3);
  await saveEmojiArrays({ images, labels, names }, cache);
  await writeFile(join(cache, SOURCES_FILE), JSON.stringify({ version, files: sources }) + '\n');
  return { images, labels, names, mapping, version };
}

/** The cached images when the cache was drawn from exactly `sources`; else null. */
async function readCache(cache: string, sources: string[]): Promise<EmojiSet['images'] | null> {
  try {
    const stored = JSON.parse(await readFile(join(cache, SOURCES_FILE), 'utf8'));
    if (JSON.stringify(stored.files) !== JSON.stringify(sources)) return null;
    const bytes = new Uint8Array(await readFile(join(cache, EMOJI_ARRAY_FILES.images)));
    // The exact file saveEmojiArrays writes: its uint8 header, then the pixels.
    const shape: [number, number, number, number] = [sources.length, EMOJI_SIDE, EMOJI_SIDE, 3];
    const header = npyHeader('uint8', shape);
    const size = shape.reduce((a, b) => a * b, 1);
    if (bytes.length !== header.length + size || header.some((b, i) => bytes[i] !== b)) return null;
    return { data: bytes.slice(header.length), shape };
  } catch {
    return null;
  }
}

/** Each SVG drawn by Chromium onto a RENDER_SIDE square canvas filled white: opaque RGBA. */
async function drawSvgs(svgs: string[]): Promise<DecodedImage[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const images: DecodedImage[] = [];
    for (let start = 0; start < svgs.length; start += BATCH) {
      const drawn = await page.evaluate(
        async ({ batch, side }) => {
          const canvas = document.createElement('canvas');
          canvas.width = canvas.height = side;
          const context = canvas.getContext('2d', { willReadFrequently: true })!;
          const out: string[] = [];
          for (const svg of batch) {
            const image = new Image();
            image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
            await image.decode();
            context.fillStyle = '#ffffff';
            context.fillRect(0, 0, side, side);
            context.drawImage(image, 0, 0, side, side);
            const rgba = context.getImageData(0, 0, side, side).data;
            let binary = '';
            for (let i = 0; i < rgba.length; i += 8192)
              binary += String.fromCharCode(...rgba.subarray(i, Math.min(i + 8192, rgba.length)));
            out.push(btoa(binary));
          }
          return out;
        },
        { batch: svgs.slice(start, start + BATCH), side: RENDER_SIDE },
      );
      for (const b64 of drawn)
        images.push({ width: RENDER_SIDE, height: RENDER_SIDE, rgba: new Uint8Array(Buffer.from(b64, 'base64')) });
    }
    return images;
  } finally {
    await browser.close();
  }
}
