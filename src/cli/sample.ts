/**
 * `wgan-edge sample`: seeded samples of a model folder or shipped model, as .json, .npy or .png,
 * or the samples of given latents (`--latents z.npy`, what the PyTorch twin is compared on);
 * `--label K` draws class K of a conditional model (without it, labels uniformly at random).
 * Drawn in batches and written as they come, with progress on stderr, so memory stays that of
 * one batch (and the latents) whatever --n is.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { initBackend } from '../backend/init';
import { generatorFromModel } from '../io/networks';
import { checkOutputFile, FileRefusedError, loadModelDir, OutputRefusedError, readRegularFile } from '../io/node_files';
import { npyHeader, parseNpy, type NpyDtype } from '../io/npy';
import { MAX_LABELS } from '../models/config';
import type { Network } from '../models/network';
import { disposeParams } from '../nn/params';
import { checkLabel, generateSamples, sampleLabels, sampleLatents } from '../sample/generate';
import { toUint8 } from '../sample/png';
import { renderSamples } from '../sample/render';
import { backendOptions, intOption, parse, truncationOption } from './args';
import { UsageError } from './errors';
import { resolveModel } from './model_path';
import { CountProgress } from './progress';

const OUTPUTS = ['.json', '.npy', '.png'];
const NPY_FORMATS: readonly NpyDtype[] = ['uint8', 'float32'];
const MAX_SAMPLES = 100_000;
/** Samples per forward pass. */
const BATCH = 1000;
/** A .png grid of images holds at most this many: 64 x 64 digits make a 1922-pixel square. */
const MAX_GRID = 4096;
/** Room for a .npy header beyond the values (numpy writes 128 bytes or so). */
const NPY_HEADER_ALLOWANCE = 4096;

export async function sample(argv: string[]): Promise<void> {
  const args = parse(argv, {
    model: { type: 'string' },
    n: { type: 'string' },
    seed: { type: 'string' },
    truncation: { type: 'string' },
    latents: { type: 'string' },
    format: { type: 'string' },
    label: { type: 'string' },
    out: { type: 'string' },
  });
  if (args.model == null) throw new UsageError('sample needs --model DIR or the name of a shipped model.');
  if (args.out == null) throw new UsageError(`sample needs --out FILE ending in ${OUTPUTS.join(', ')}.`);
  const out = String(args.out);
  const extension = extname(out).toLowerCase();
  if (!OUTPUTS.includes(extension)) throw new UsageError(`--out ${out}: the file must end in ${OUTPUTS.join(', ')}.`);
  if (args.latents != null) {
    const seeded = ['n', 'seed', 'truncation'].filter((flag) => args[flag] != null);
    if (seeded.length > 0)
      throw new UsageError(
        `--latents gives the latents: --${seeded.join(', --')} would draw others; give one or the other.`,
      );
  }
  const npyFormat = npyFormatOption(args.format, extension);
  const n = args.latents == null ? intOption('n', args.n ?? '64', 1, MAX_SAMPLES)! : undefined;
  const seed = intOption('seed', args.seed ?? '0', 0, 2 ** 32 - 1)!;
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
    throw new UsageError(
      `--label ${label}: ${dir} ${classes == null ? 'is unconditional and takes no --label' : `has labels 0 to ${classes - 1}`}.`,
    );
  }
  const isImage = model.outputShape.length === 3;
  if (npyFormat === 'uint8' && !isImage)
    throw new UsageError(
      `--format uint8: ${dir} makes [${model.outputShape}] vectors, not images; they are written as float32.`,
    );
  const given = args.latents == null ? null : await readLatents(String(args.latents), model.latentDim);
  const count = given == null ? n! : given.length / model.latentDim;
  if (extension === '.png' && isImage && count > MAX_GRID) {
    const what = given == null ? `--n ${count}` : `--latents ${String(args.latents)} (${count} latents)`;
    throw new UsageError(`${what}: a .png grid holds at most ${MAX_GRID} samples; write .npy or .json for more.`);
  }
  await initBackend(backendOptions(args));
  // Seeded latents come from tfjs' seeded normals: drawn once a backend is up.
  const latents = given ?? (await sampleLatents(model.latentDim, { n: n!, seed, truncation }));
  const labels = sampleLabels(classes, { n: count, seed, label });
  const generator = generatorFromModel(model, dir);
  // Written beside the target and renamed: a failed write leaves an existing file whole, and no partial file behind.
  const partial = `${out}.partial-${process.pid}`;
  try {
    const file = await open(partial, 'wx');
    try {
      await writeSamples(file, generator, extension, latents, npyFormat ?? (isImage ? 'uint8' : 'float32'), labels);
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
  process.stderr.write(`wrote ${count} samples of ${dir} to ${out}\n`);
}

/** `--format uint8|float32`: how a .npy stores the samples (default: uint8 images, float32 vectors); only for .npy. */
function npyFormatOption(value: unknown, extension: string): NpyDtype | undefined {
  if (value == null) return undefined;
  if (!NPY_FORMATS.includes(value as NpyDtype))
    throw new UsageError(`--format must be one of ${NPY_FORMATS.join(', ')} (got '${String(value)}').`);
  if (extension !== '.npy')
    throw new UsageError(`--format ${String(value)} sets how a .npy stores samples; --out ${extension} has its own.`);
  return value as NpyDtype;
}

/** `--latents FILE.npy`: [n, latentDim] float32 or float64 values, finite, at most MAX_SAMPLES rows. */
async function readLatents(path: string, latentDim: number): Promise<Float32Array> {
  const limit = MAX_SAMPLES * latentDim * 8 + NPY_HEADER_ALLOWANCE;
  const bytes = await readRegularFile(path, limit, `what ${MAX_SAMPLES} float64 latents need`).catch(
    (e: NodeJS.ErrnoException) => {
      if (e instanceof FileRefusedError) throw new UsageError(`--latents ${e.message}`);
      throw new UsageError(
        e.code === 'ENOENT' ? `--latents ${path}: no such file.` : `--latents ${path}: cannot be read (${e.message}).`,
      );
    },
  );
  let array;
  try {
    array = parseNpy(bytes, path);
  } catch (e) {
    throw new UsageError(`--latents ${(e as Error).message}`);
  }
  const { shape, values } = array;
  if (shape.length !== 2 || shape[1] !== latentDim || shape[0] < 1 || shape[0] > MAX_SAMPLES) {
    throw new UsageError(
      `--latents ${path}: shape [${shape}], the model needs [n, ${latentDim}] with n from 1 to ${MAX_SAMPLES}.`,
    );
  }
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new UsageError(
      `--latents ${path}: value ${values[bad]} at row ${Math.floor(bad / latentDim)}, column ${bad % latentDim} is not finite (or too large for float32).`,
    );
  return values;
}

/** Draws the samples of `latents` ([n, latentDim] row-major; with `labels`, one class each) BATCH at a time and writes them in `extension`'s format. */
async function writeSamples(
  file: FileHandle,
  generator: Network,
  extension: string,
  latents: Float32Array,
  npyFormat: NpyDtype,
  labels?: Int32Array,
): Promise<void> {
  const { latentDim, outputShape, outputRange } = generator.config;
  const n = latents.length / latentDim;
  const isImage = outputShape.length === 3;
  const size = outputShape.reduce((a, b) => a * b, 1);
  const shape = [n, ...outputShape];
  // A .png is one picture of them all (at most MAX_GRID images, or 2-D points).
  const all = extension === '.png' ? new Float32Array(n * size) : null;
  const text = (s: string) => file.writeFile(new TextEncoder().encode(s));
  if (extension === '.npy') await file.writeFile(npyHeader(npyFormat, shape));
  if (extension === '.json') await text(isImage ? `{"shape":${JSON.stringify(shape)},"samples":[` : '{"samples":[');
  // One batch is done at once: progress only where there are several.
  const progress = n > BATCH ? new CountProgress(n, 'samples') : null;
  for (let start = 0; start < n; start += BATCH) {
    const end = Math.min(n, start + BATCH);
    const { values } = await generateSamples(
      generator,
      latents.subarray(start * latentDim, end * latentDim),
      'float32',
      labels?.subarray(start, end),
    );
    if (all != null) all.set(values, start * size);
    if (extension === '.npy')
      await file.writeFile(
        npyFormat === 'uint8'
          ? toUint8(values, outputRange!)
          : new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
      );
    if (extension === '.json') {
      const rows = Array.from({ length: end - start }, (_, i) =>
        JSON.stringify(Array.from(values.subarray(i * size, (i + 1) * size))),
      );
      await text((start > 0 ? ',' : '') + rows.join(','));
    }
    progress?.report(end);
  }
  if (extension === '.json') await text(']}\n');
  if (all != null) await file.writeFile((renderSamples(all, shape, outputRange, 'png') as { png: Uint8Array }).png);
}
