/** `--data`: a toy set, MNIST, Fashion-MNIST, emoji, or a folder of PNG/JPEG images -> a dataset and its network. */
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Dataset } from '../data/dataset';
import { invertImages, isGreyscale, toImageArray, type DecodedImage } from '../data/image_pixels';
import { imageDataset } from '../data/images';
import type { ImageArray } from '../data/images';
import { TOY_NAMES, toyDataset, type ToyName } from '../data/toy';
import { decodeImage } from '../io/image_files';
import { readRegularFile } from '../io/node_files';
import { archConfig, type ArchConfig } from '../models/config';
import { EMOJI_CATEGORIES, loadEmoji } from '../node/emoji';
import { loadMnist, loadMnistLabels, MNIST_SETS, type MnistSet } from '../node/mnist';
import { UsageError } from './errors';

export interface DataChoice {
  dataset: Dataset;
  arch: ArchConfig;
  /** What the model card calls the data. */
  name: string;
  /** A folder's images as trained on (inverted if asked): what fine-tuning checks. */
  images?: ImageArray;
}

/** The labelled image sets: --data names that --conditional can train on. */
export const LABELLED_SETS: readonly string[] = [...MNIST_SETS, 'emoji'];
const MNIST_CLASSES = 10;

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
/** A training image file larger than this is refused unread (a 4096x4096 PNG of noise is ~64 MB). */
const MAX_IMAGE_FILE_BYTES = 64 * 1024 * 1024;

/**
 * `dim` overrides the network width: the MLP's hidden units, the conv nets' DIM. `invert`
 * turns a folder's images to their negatives (ink on paper -> light on dark, as MNIST).
 * `conditional`: a labelled set (LABELLED_SETS) with its labels, and an architecture
 * conditional on its classes.
 */
export async function resolveData(
  spec: string,
  dim: number | undefined,
  invert = false,
  conditional = false,
): Promise<DataChoice> {
  const isSet = ([...TOY_NAMES, ...LABELLED_SETS] as string[]).includes(spec);
  if (invert && isSet) throw new UsageError(`--invert flips a folder of images, not --data ${spec}.`);
  if (conditional && !LABELLED_SETS.includes(spec)) {
    throw new UsageError(`--conditional trains on the labels of ${LABELLED_SETS.join(', ')}; --data ${spec} has none.`);
  }
  const width = dim == null ? {} : { dim };
  if (spec === 'emoji') {
    const emoji = await loadEmoji().catch((e: Error) => {
      throw new UsageError(`--data emoji: ${e.message}`);
    });
    const arch = archConfig('dcgan32', { ...width, ...(conditional && { labels: EMOJI_CATEGORIES.length }) });
    const labels = conditional ? { values: emoji.labels, classes: EMOJI_CATEGORIES.length } : undefined;
    return { dataset: imageDataset(emoji.images, arch.outputRange, spec, labels), arch, name: spec };
  }
  if ((TOY_NAMES as readonly string[]).includes(spec)) {
    return {
      dataset: toyDataset(spec as ToyName),
      arch: archConfig('mlp', dim == null ? {} : { hidden: dim }),
      name: spec,
    };
  }
  if ((MNIST_SETS as readonly string[]).includes(spec)) {
    const set = spec as MnistSet;
    const arch = archConfig('dcgan28', { ...width, ...(conditional && { labels: MNIST_CLASSES }) });
    const labels = conditional
      ? { values: await loadMnistLabels('train', { set }), classes: MNIST_CLASSES }
      : undefined;
    return {
      dataset: imageDataset(await loadMnist('train', { set }), arch.outputRange, spec, labels),
      arch,
      name: spec,
    };
  }
  const isDir = await stat(spec).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    throw new UsageError(
      `--data must be one of ${[...TOY_NAMES, ...LABELLED_SETS].join(', ')} or a folder of PNG/JPEG images; '${spec}' is none.`,
    );
  }
  const { files, images } = await readImageFolder(spec, '--data');
  // Greyscale images train the 28x28x1 network, colour ones the 32x32x3 network.
  const colour = files.filter((_, i) => !isGreyscale([images[i]]));
  const grey = colour.length === 0;
  if (!grey && colour.length < files.length) {
    // A mixed folder is often a few stray colour files among grey ones: say which network they bring.
    const named = colour.slice(0, 3).join(', ') + (colour.length > 3 ? ` and ${colour.length - 3} more` : '');
    process.stderr.write(
      `--data ${spec}: ${colour.length} of ${files.length} images are in colour (${named}), so all train the 32x32 colour network; make them greyscale to train the 28x28 grey one.\n`,
    );
  }
  const arch = grey
    ? archConfig('dcgan28', dim == null ? {} : { dim })
    : archConfig('dcgan32', dim == null ? {} : { dim });
  const [size, , channels] = arch.outputShape as [number, number, 1 | 3];
  const sized = toImageArray(images, size, channels);
  const trained = invert ? invertImages(sized) : sized;
  return { dataset: imageDataset(trained, arch.outputRange, spec), arch, name: spec, images: trained };
}

/**
 * A folder's PNG and JPEG files (by extension, other files are ignored), read bounded
 * (MAX_IMAGE_FILE_BYTES, regular files only) and decoded, in name order. `flag` names the option
 * in errors: none found, or a file too large (one that does not decode names itself).
 */
export async function readImageFolder(dir: string, flag: string): Promise<{ files: string[]; images: DecodedImage[] }> {
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new UsageError(`${flag} ${dir}: not a folder.`);
  const files = (await readdir(dir)).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort();
  if (files.length === 0) throw new UsageError(`${flag} ${dir}: the folder holds no .png, .jpg or .jpeg files.`);
  const images: DecodedImage[] = [];
  for (const f of files) {
    const file = join(dir, f);
    const bytes = await readRegularFile(file, MAX_IMAGE_FILE_BYTES, 'the limit for a training image file').catch(
      (e: Error) => {
        throw new UsageError(`${flag} ${dir}: ${e.message}`);
      },
    );
    images.push(decodeImage(bytes, file));
  }
  return { files, images };
}
