/**
 * `wgan-edge finetune --model <dir|shipped name> --images DIR --out DIR [--steps N] [--seed S] [--label K]`:
 * few-shot fine-tuning (train/finetune.ts) on a folder of a handful (5-50) of PNG/JPEG images of
 * one kind. The images are read as `train --data <folder>` reads them (cli/data.ts), resized to
 * the model's size with its channels (colour to luminance for a grey model), `--invert`ed if
 * asked, and checked against the model's background as `train --init` checks them. Writes a
 * model folder (the base model's weight storage unless --storage) and samples.png, a preview.
 * Ctrl-C stops the run and keeps what it did.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '../backend/init';
import { invertImages, toImageArray } from '../data/image_pixels';
import { lockDir } from '../io/dir_lock';
import { fineTune } from '../io/finetune';
import { MODEL_JSON, storageOf, WEIGHT_STORAGES, type WeightStorage } from '../io/format';
import { archOf, generatorFromModel } from '../io/networks';
import { checkOutputDir, loadModelDir, MODEL_FOLDER, OutputRefusedError, writeDirAtomically } from '../io/node_files';
import { encodeModelFiles } from '../io/storage_files';
import { disposeParams } from '../nn/params';
import { sampleGenerator } from '../sample/generate';
import { FINE_TUNE_DEFAULTS, FineTuneInputError } from '../train/finetune';
import { backendOptions, intOption, parse } from './args';
import { readImageFolder } from './data';
import { UsageError } from './errors';
import { resolveModel } from './model_path';
import { Progress } from './progress';

/** The preview: PREVIEW_SIDE x PREVIEW_SIDE samples at seed 0. */
const PREVIEW_SIDE = 8;

export async function finetune(argv: string[]): Promise<void> {
  const args = parse(argv, {
    model: { type: 'string' },
    images: { type: 'string' },
    out: { type: 'string' },
    steps: { type: 'string' },
    seed: { type: 'string' },
    label: { type: 'string' },
    storage: { type: 'string' },
    invert: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (args.model == null)
    throw new UsageError('finetune needs --model DIR or a shipped model name (e.g. mnist): the model to start from.');
  if (args.images == null)
    throw new UsageError('finetune needs --images DIR, a folder of a handful (5-50) of PNG/JPEG images of one kind.');
  if (args.out == null) throw new UsageError('finetune needs --out DIR, the model folder to write.');
  const steps = intOption('steps', args.steps, 0, 1e6) ?? FINE_TUNE_DEFAULTS.steps;
  const seed = intOption('seed', args.seed, 0, 2 ** 32 - 1) ?? FINE_TUNE_DEFAULTS.seed;
  const label = intOption('label', args.label, 0, 1e6);
  if (args.storage != null && !WEIGHT_STORAGES.includes(args.storage as WeightStorage)) {
    throw new UsageError(`--storage must be one of ${WEIGHT_STORAGES.join(', ')} (got '${String(args.storage)}').`);
  }
  const out = String(args.out);
  const [imagesDir, invert, json] = [String(args.images), Boolean(args.invert), Boolean(args.json)];
  const backend = backendOptions(args);

  if (await exists(join(out, MODEL_JSON))) throw new UsageError(`${out} already holds a model; choose another --out.`);
  await checkOutputDir(out, MODEL_FOLDER, `--out ${out}`).catch((e: Error) => {
    throw e instanceof OutputRefusedError ? new UsageError(e.message) : e;
  });
  const modelDir = await resolveModel(String(args.model));
  const model = await loadModelDir(modelDir);
  const arch = archOf(model, modelDir);
  if (arch.outputShape.length !== 3)
    throw new UsageError(
      `--model ${args.model}: it draws [${arch.outputShape}] points, not images; finetune tunes image models.`,
    );
  if (model.critic == null)
    throw new UsageError(
      `--model ${args.model}: the model has no critic (critic.bin), which fine-tuning trains against.`,
    );
  const { images: decoded } = await readImageFolder(imagesDir, '--images');
  const [size, , channels] = arch.outputShape as [number, number, 1 | 3];
  const sized = toImageArray(decoded, size, channels);
  const images = invert ? invertImages(sized) : sized;

  const unlock = await lockDir(out);
  try {
    const report = await initBackend(backend);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const startStep = model.provenance.steps ?? 0;
    const progress = new Progress(startStep + steps, startStep, json);
    let result;
    try {
      result = await fineTune(
        model,
        images,
        { steps, seed, label, signal: stop.signal, onProgress: (m) => progress.report(m) },
        String(args.model),
      );
    } catch (e) {
      if (e instanceof FineTuneInputError) {
        const hint =
          e.code === 'background' ? (invert ? ' Drop --invert.' : ' Pass --invert to tune on their negatives.') : '';
        if (e.code === 'not-conditional' || e.code === 'bad-option') throw new UsageError(`--label: ${e.message}`);
        throw new UsageError(`--images ${imagesDir}: ${e.message.replace(/; invert them first.*$/, '.')}${hint}`);
      }
      throw e;
    } finally {
      progress.end();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    const storage =
      (args.storage as WeightStorage | undefined) ??
      (await storageOf(JSON.parse(await readFile(join(modelDir, MODEL_JSON), 'utf8'))));
    const generator = generatorFromModel(result.model, out);
    let preview: Uint8Array;
    try {
      const png = await sampleGenerator(generator, { n: PREVIEW_SIDE * PREVIEW_SIDE, seed: 0, format: 'png' });
      preview = png.png;
    } finally {
      disposeParams(generator.params);
    }
    await writeDirAtomically(
      out,
      {
        ...(await encodeModelFiles(
          { ...result.model, provenance: { ...result.model.provenance, backend: report.backend } },
          storage,
        )),
        'samples.png': preview,
      },
      MODEL_FOLDER,
    );
    const summary = {
      out,
      images: images.shape[0],
      steps: result.stepsRun,
      stopped: result.stopped === 'aborted' ? 'interrupted' : 'completed',
      components: result.choice?.allowed ?? null,
      seconds: Math.round(result.seconds * 100) / 100,
      backend: report.backend,
      threads: report.threads,
    };
    (json ? process.stdout : process.stderr).write(JSON.stringify(summary) + '\n');
    if (stop.signal.aborted) process.exitCode = 130;
  } finally {
    await unlock();
  }
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
