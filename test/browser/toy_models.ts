/** Small models for the browser tests, built on the page with the library's own networks. */
import type { ImageArray } from '../../src/data/images';
import type { ModelContents } from '../../src/io/codec';
import { archConfig, type ArchConfig } from '../../src/models/config';
import { createGenerator } from '../../src/models/index';
import { disposeParams, readParams } from '../../src/nn/params';
import type { TrainRequest } from '../../src/runtime/protocol';

/** An untrained 2-D generator (mlp, 8 units, seed 5) saved as a model folder: model.json + generator.bin. */
export const POINTS_MODEL_URL = '/test/browser/fixtures/points-model/';

/** A narrow toy-data generator: 2-D latents -> 2-D points. */
export const POINTS_ARCH = archConfig('mlp', { hidden: 32, depth: 2 });
/** A narrow MNIST-shaped generator: 28x28x1 images in [0, 1]. */
export const DIGITS_ARCH = archConfig('dcgan28', { dim: 4, latentDim: 16 });

/** A model with freshly initialised (seeded) weights; needs a tfjs backend on the page. */
export async function untrainedModel(architecture: ArchConfig, seed: number): Promise<ModelContents> {
  const generator = createGenerator(architecture, seed);
  const weights = await readParams(generator.params);
  disposeParams(generator.params);
  const range = architecture.outputRange ?? [-Infinity, Infinity];
  return {
    architecture: { ...architecture },
    latentDim: architecture.latentDim,
    outputShape: [...architecture.outputShape],
    outputRange: [range[0], range[1]],
    provenance: { seed },
    generator: weights,
  };
}

/**
 * `count` 28x28 greyscale images of a fixed pattern inside a black margin of 4 (as MNIST's
 * digits lie), as uint8: what a page hands train() as data.images.
 */
export function patternImages(count: number): ImageArray & { data: Uint8Array } {
  const inside = (p: number) => [Math.floor(p / 28) % 28, p % 28].every((v) => v >= 4 && v < 24);
  return {
    data: Uint8Array.from({ length: count * 28 * 28 }, (_, i) => (inside(i) ? (i * 37) % 256 : 0)),
    shape: [count, 28, 28, 1],
  };
}

/** One cheap WGAN-GP step on a few images (train()'s request without its networks and data). */
export const ONE_IMAGE_STEP = {
  loss: 'wgan-gp',
  seed: 1,
  steps: 1,
  batchSize: 4,
  nCritic: 1,
} as const satisfies Partial<TrainRequest>;
