/**
 * Writes the emoji set as arrays for the PyTorch twin (`--data emoji --data-dir OUT`), which has
 * no PNG decoder: OUT/images.npy, OUT/labels.npy and OUT/names.json (src/node/emoji.ts).
 *   OUT=checkpoints/emoji-data npx vitest run --config scripts/vitest.config.ts scripts/emoji_arrays.script.ts
 * Environment: OUT (required), ARTWORK=google|twitter (default google, the training artwork).
 */
import { expect, it } from 'vitest';
import { loadEmoji, saveEmojiArrays, type EmojiArtwork } from '../src/node/emoji';

const OUT = process.env.OUT;
const ARTWORK = (process.env.ARTWORK ?? 'google') as EmojiArtwork;

it(`writes the ${ARTWORK} emoji arrays to ${OUT}`, async () => {
  if (OUT == null) throw new Error('OUT: the folder to write images.npy, labels.npy and names.json to');
  const set = await loadEmoji({ artwork: ARTWORK });
  await saveEmojiArrays(set, OUT);
  console.log(`${set.images.shape[0]} ${ARTWORK} emoji, [${set.images.shape}], to ${OUT}`);
  expect(set.images.shape[0]).toBeGreaterThan(0);
});
