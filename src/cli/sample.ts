/**
 * `wgan-edge sample`: seeded samples of a model folder or shipped model, as .json, .npy or .png;
 * `--label K` draws class K of a conditional model (without it, labels uniformly at random).
 * Drawn in batches and written as they come, with progress on stderr, so memory stays that of
 * one batch (and the latents) whatever --n is.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { initBackend } from '../backend/init';
import type { Network } from '../models/network';
import { checkOutputFile, loadModelDir, OutputRefusedError } from '../io/node_files';
import { generatorFromModel } from '../io/networks';
import { npyHeader } from '../io/npy';
import { disposeParams } from '../nn/params';
import { checkLabel, generateSamples, sampleLabels, sampleLatents } from '../sample/generate';
import { MAX_LABELS } from '../models/config';
import { toUint8 } from '../sample/png';
import { renderSamples } from '../sample/render';
import { backendOptions, intOption, parse, truncationOption } from './args';
import { UsageError } from './errors';
import { resolveModel } from './model_path';
import { CountProgress } from './progress';

const OUTPUTS = ['.json', '.npy', '.png'];
const MAX_SAMPLES = 100_000;
/** Samples per forward pass. */
const BATCH = 1000;
/** A .png grid of images holds at most this many: 64 x 64 digits make a 1922-pixel square. */
const MAX_GRID = 4096;

export async function sample(argv: string[]): Promise<void> {
  const args = parse(argv, {
    model: { type: 'string' },
    n: { type: 'string', default: '64' },
    seed: { type: 'string', default: '0' },
    truncation: { type: 'string' },
    label: { type: 'string' },
    out: { type: 'string' },
  });
  if (args.model == null) throw new UsageError('sample needs --model DIR or the name of a shipped model.');
  if (args.out == null) throw new UsageError(`sample needs --out FILE ending in ${OUTPUTS.join(', ')}.`);
  const out = String(args.out);
  const format = extname(out).toLowerCase();
  if (!OUTPUTS.includes(format)) throw new UsageError(`--out ${out}: the file must end in ${OUTPUTS.join(', ')}.`);
  const n = intOption('n', args.n, 1, MAX_SAMPLES)!;
  const seed = intOption('seed', args.seed, 0, 2 ** 32 - 1)!;
  const truncation = truncationOption(args);
  const label = intOption('label', args.label, 0, MAX_LABELS - 1);
  await checkOutputFile(out, `--out ${out}`).catch((e: Error) => {
    throw e instanceof OutputRefusedError ? new UsageError(e.message) : e;
  });
  const dir = await resolveModel(String(args.model));

  const model = await loadModelDir(dir);
  const classes = (model.architecture as { labels?: number }).labels;
  try {
    checkLabel(label, classes);
  } catch (e) {
    throw new UsageError(`--label ${label}: ${dir} ${classes == null ? 'is unconditional and takes no --label' : `has labels 0 to ${classes - 1}`}.`);
  }
  const isImage = model.outputShape.length === 3;
  if (format === '.png' && isImage && n > MAX_GRID) {
    throw new UsageError(`--n ${n}: a .png grid holds at most ${MAX_GRID} samples; write .npy or .json for more.`);
  }
  await initBackend(backendOptions(args));
  const generator = generatorFromModel(model, dir);
  // Written beside the target and renamed: a failed write leaves an existing file whole, and no partial file behind.
  const partial = `${out}.partial-${process.pid}`;
  try {
    const file = await open(partial, 'wx');
    try {
      await writeSamples(file, generator, format, { n, seed, truncation, label });
    } finally {
      await file.close();
    }
    await rename(partial, out);
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  } finally {
    disposeParams(generator.params);
  }
  process.stderr.write(`wrote ${n} samples of ${dir} to ${out}\n`);
}

/** Draws the samples BATCH at a time (the latents of the whole seed, sliced) and writes them in `format`. */
async function writeSamples(file: FileHandle, generator: Network, format: string, options: { n: number; seed: number; truncation?: number; label?: number }): Promise<void> {
  const { n } = options;
  const { latentDim, outputShape, outputRange } = generator.config;
  const isImage = outputShape.length === 3;
  const size = outputShape.reduce((a, b) => a * b, 1);
  const shape = [n, ...outputShape];
  const latents = await sampleLatents(latentDim, options);
  const labels = sampleLabels(generator.config.labels, options);
  // A .png is one picture of them all (at most MAX_GRID images, or 2-D points).
  const all = format === '.png' ? new Float32Array(n * size) : null;
  const text = (s: string) => file.writeFile(new TextEncoder().encode(s));
  if (format === '.npy') await file.writeFile(npyHeader(isImage ? 'uint8' : 'float32', shape));
  if (format === '.json') await text(isImage ? `{"shape":${JSON.stringify(shape)},"samples":[` : '{"samples":[');
  // One batch is done at once: progress only where there are several.
  const progress = n > BATCH ? new CountProgress(n, 'samples') : null;
  for (let start = 0; start < n; start += BATCH) {
    const end = Math.min(n, start + BATCH);
    const { values } = await generateSamples(generator, latents.subarray(start * latentDim, end * latentDim), 'float32', labels?.subarray(start, end));
    if (all != null) all.set(values, start * size);
    if (format === '.npy') await file.writeFile(isImage ? toUint8(values, outputRange!) : new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    if (format === '.json') {
      const rows = Array.from({ length: end - start }, (_, i) => JSON.stringify(Array.from(values.subarray(i * size, (i + 1) * size))));
      await text((start > 0 ? ',' : '') + rows.join(','));
    }
    progress?.report(end);
  }
  if (format === '.json') await text(']}\n');
  if (all != null) await file.writeFile((renderSamples(all, shape, outputRange, 'png') as { png: Uint8Array }).png);
}
