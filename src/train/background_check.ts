/**
 * Fine-tuning on images whose background is the other way round from the model's (a scan of ink
 * on paper for MNIST's light-on-dark digits) would spend its steps relearning the background.
 * The CLI (`train --init`) and the runtime (`fromLoadedModel`) refuse it with this check; the
 * model's background is read from its own samples.
 */
import { backgroundsDisagree } from '../data/image_pixels';
import type { ImageArray } from '../data/images';
import type { Network } from '../models/network';
import { sampleGenerator } from '../sample/generate';

/** Samples that tell a generator's background. */
const BACKGROUND_SAMPLES = 64;

/** Both background levels when `images` and the generator's samples disagree (backgroundsDisagree), else null. */
export async function backgroundMismatch(
  generator: Network,
  images: ImageArray,
): Promise<{ images: number; model: number } | null> {
  const samples = await sampleGenerator(generator, { n: BACKGROUND_SAMPLES, seed: 0, format: 'rgba' });
  return backgroundsDisagree(images, { data: samples.values, shape: samples.shape });
}

/** A level as the refusals name it: 'a dark background (0.02)'. */
export const describeBackground = (level: number): string =>
  `a ${level < 0.5 ? 'dark' : 'light'} background (${level.toFixed(2)})`;
