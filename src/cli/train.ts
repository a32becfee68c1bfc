/**
 * `wgan-edge train`: trains on a toy set, MNIST or a folder of images and writes a model
 * folder. The folder holds the model, a checkpoint, the training curve (history.json, and
 * curve.png: the Wasserstein estimate per step), written together and atomically every
 * CHECKPOINT_SECONDS, at the end, and on Ctrl-C, so `--resume` continues the same run and a
 * diverged or interrupted run never damages what was saved. The folder is locked (dir_lock.ts)
 * so that a second trainer cannot overwrite the first one's steps. `--init MODEL` starts a new run
 * from a model's networks (io/networks.ts startFromModel) rather than random ones.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '../backend/init';
import { webGpuDeviceLost } from '../backend/webgpu_device';
import type { ImageArray } from '../data/images';
import { TOY_NAMES } from '../data/toy';
import { LOSS_NAMES, type LossName } from '../losses/settings';
import { DirLockedError, lockDir } from '../io/dir_lock';
import { checkOutputDir, loadModelDir, MODEL_FOLDER, OutputRefusedError, recoverDir, writeDirAtomically } from '../io/node_files';
import { MODEL_JSON, storageOf, WEIGHT_STORAGES, type WeightStorage } from '../io/format';
import { encodeModelFiles } from '../io/storage_files';
import { archOf, modelFromTrainer, startFromModel } from '../io/networks';
import type { ArchConfig } from '../models/config';
import { loadStateDir, stateFiles } from '../io/state_file';
import type { TrainerState } from '../train/state';
import { backgroundMismatch, describeBackground } from '../train/background_check';
import { Trainer, TrainingDivergedError, type StepMetrics } from '../train/trainer';
import { backendOptions, intOption, parse } from './args';
import { LABELLED_SETS, resolveData } from './data';
import { UsageError } from './errors';
import { resolveModel } from './model_path';
import { Progress } from './progress';
import { encodePng } from '../sample/png';
import { linePlot } from '../viz/plot';

const CHECKPOINT_DIR = 'checkpoint';
const CHECKPOINT_SECONDS = 30;
const DEFAULT_LOSS: LossName = 'wgan-gp';
const DEFAULT_SEED = 0;
const DEFAULT_STORAGE: WeightStorage = 'float32';
/** Generator steps when --steps is not given: toy sets converge in these with the defaults. */
const DEFAULT_STEPS = { toy: 2000, images: 5000 };
/** At most this many points of the training curve are kept in history.json. */
const HISTORY_POINTS = 1000;

export interface HistoryPoint {
  step: number;
  wasserstein: number;
  criticLoss: number;
  generatorLoss: number;
  penalty: number;
  seconds: number;
}

interface RunRecord {
  data: string;
  /** The model folder's weight storage (--storage), which a resume keeps unless told otherwise. */
  storage?: WeightStorage;
  seconds: number;
  history: HistoryPoint[];
  /** The model an --init run started from, as the model card's provenance tells it. */
  initializedFrom?: { model: string; dataset?: string; steps: number };
  /** --invert: the folder's images are trained as negatives, and a resume reads them so again. */
  inverted?: boolean;
}

interface Checkpoint {
  trainer: TrainerState;
  run: RunRecord;
}

export async function train(argv: string[]): Promise<void> {
  const args = parse(argv, {
    data: { type: 'string' },
    loss: { type: 'string' },
    steps: { type: 'string' },
    batch: { type: 'string' },
    seed: { type: 'string' },
    dim: { type: 'string' },
    ema: { type: 'string' },
    lr: { type: 'string' },
    'lr-decay': { type: 'string' },
    'latent-mixture': { type: 'string' },
    conditional: { type: 'boolean', default: false },
    storage: { type: 'string' },
    out: { type: 'string' },
    init: { type: 'string' },
    invert: { type: 'boolean', default: false },
    resume: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (args.data == null) throw new UsageError('train needs --data (8gaussians, 25gaussians, swissroll, mnist, fashion-mnist, emoji or a folder of images).');
  if (args.out == null) throw new UsageError('train needs --out DIR, the model folder to write.');
  const options: TrainOptions = {
    data: String(args.data),
    out: String(args.out),
    resume: Boolean(args.resume),
    init: args.init == null ? undefined : String(args.init),
    invert: Boolean(args.invert),
    json: Boolean(args.json),
    steps: intOption('steps', args.steps, 1, 1e9),
    loss: args.loss == null ? undefined : lossOption(args.loss),
    seed: intOption('seed', args.seed, 0, 2 ** 32 - 1),
    batch: intOption('batch', args.batch, 1, 65536),
    dim: intOption('dim', args.dim, 1, 1024),
    emaDecay: decayOption(args.ema),
    learningRate: learningRateOption(args.lr),
    decayFrom: intOption('lr-decay', args['lr-decay'], 0, 1e9),
    latentComponents: intOption('latent-mixture', args['latent-mixture'], 2, 1024),
    conditional: Boolean(args.conditional),
    storage: args.storage == null ? undefined : storageOption(args.storage),
    backend: backendOptions(args),
  };
  const out = options.out;
  await checkOutputDir(out, MODEL_FOLDER, `--out ${out}`).catch((e: Error) => {
    throw e instanceof OutputRefusedError ? new UsageError(e.message) : e;
  });
  const unlock = await lockDir(out).catch((e: NodeJS.ErrnoException) => {
    if (e instanceof DirLockedError) throw e;
    throw new UsageError(`--out ${out}: cannot create files beside it (${e.message}); --out must name a folder in a place this user can write.`);
  });
  try {
    const recovered = await recoverDir(out, isCompleteRun);
    if (recovered != null) process.stderr.write(`${recovered}\n`);
    await trainInto(options);
  } finally {
    await unlock();
  }
}

interface TrainOptions {
  data: string;
  out: string;
  resume: boolean;
  /** A model folder or shipped model's name to start from. */
  init?: string;
  /** Train on the negatives of a folder's images (a resume keeps its run's choice). */
  invert: boolean;
  json: boolean;
  /** Undefined: the data's default (DEFAULT_STEPS). */
  steps?: number;
  loss?: LossName;
  /** The settings below, when undefined: a new run's defaults, or a resumed run's own. */
  seed?: number;
  batch?: number;
  dim?: number;
  emaDecay?: number;
  learningRate?: number;
  /** --lr-decay START: the learning rate falls linearly to 0 from generator step START to --steps. */
  decayFrom?: number;
  /** --latent-mixture K: the generator reads its latent as K separated Gaussians (a new run only). */
  latentComponents?: number;
  /** --conditional: a class-conditional pair on the data's labels (a new run; a resume keeps its run's choice). */
  conditional: boolean;
  storage?: WeightStorage;
  backend: ReturnType<typeof backendOptions>;
}

/** The run itself, with `out` locked against other writers. */
async function trainInto({ data: dataName, out, resume, init, invert, json, steps: stepsOption, loss, seed, batch, dim, emaDecay, learningRate, decayFrom, latentComponents, conditional, storage, backend }: TrainOptions): Promise<void> {
  const hasModel = await exists(join(out, 'model.json'));
  if (hasModel && !resume) throw new UsageError(`${out} already holds a model: pass --resume to continue its run, or choose another --out.`);
  if (hasModel && init != null) throw new UsageError(`--init starts a new run, and ${out} already holds one: drop --init to go on with it, or choose another --out.`);
  const initDir = init == null ? null : await resolveModel(init);
  const base = initDir == null ? null : await loadModelDir(initDir);
  const baseArch = base == null ? null : archOf(base, initDir!);
  const width = baseArch == null ? dim : widthOf(baseArch);
  if (dim != null && dim !== width) throw new UsageError(`--init ${init}: the model's networks have width ${width}, not --dim ${dim}; drop --dim.`);
  if (base != null && latentComponents != null) throw new UsageError(`--init ${init}: the model's generator decides its latent; drop --latent-mixture.`);
  if (base != null && conditional) throw new UsageError(`--init ${init}: the model decides whether it is conditional; drop --conditional.`);
  if (baseArch?.labels != null && !LABELLED_SETS.includes(dataName)) {
    throw new UsageError(`--init ${init} is class-conditional: it trains on the labels of ${LABELLED_SETS.join(', ')}, and --data ${dataName} has none.`);
  }
  const checkpoint = resume && hasModel ? ((await loadStateDir(join(out, CHECKPOINT_DIR))) as Checkpoint) : null;
  if (checkpoint != null) {
    const given = { data: dataName, loss, dim, batch, lr: learningRate, 'lr-decay': decayFrom, 'latent-mixture': latentComponents, ema: emaDecay, seed, invert: invert || undefined, conditional: conditional || undefined };
    checkResumedSettings(out, checkpoint, given);
  }
  const decayEnd = checkpoint?.trainer.settings.learningRateDecay?.end;
  const steps = stepsOption ?? decayEnd ?? ((TOY_NAMES as readonly string[]).includes(dataName) ? DEFAULT_STEPS.toy : DEFAULT_STEPS.images);
  if (decayEnd != null && steps !== decayEnd) {
    throw new UsageError(`--resume: ${out} decays its learning rate to 0 at step ${decayEnd}; --steps must be ${decayEnd}, not ${steps}.`);
  }
  if (decayFrom != null && decayFrom >= steps) throw new UsageError(`--lr-decay ${decayFrom} must be below --steps (${steps}): the rate falls to 0 from that step to the last.`);

  const report = await initBackend(backend);
  // A lost WebGPU device, or one that reported an error, computed nothing or garbage: no step
  // from then on is saved, and the run stops at its next step.
  let lostDevice: string | null = null;
  void webGpuDeviceLost()?.then((reason) => {
    lostDevice = reason;
  });
  const stopIfDeviceLost = () => {
    if (lostDevice != null) throw new Error('the WebGPU device was lost');
  };
  const labelled = conditional || checkpoint?.trainer.arch.labels != null || baseArch?.labels != null;
  const data = await resolveData(dataName, width, invert || checkpoint?.run.inverted === true, labelled);
  const components = baseArch == null ? latentComponents : baseArch.latentComponents;
  if (components != null && components >= data.arch.latentDim) {
    throw new UsageError(`--latent-mixture ${components}: the ${data.arch.kind} generator's latent has ${data.arch.latentDim} values; K must be below that.`);
  }
  const trainer =
    checkpoint != null
      ? Trainer.fromState(checkpoint.trainer, data.dataset)
      : new Trainer({
          loss: loss ?? initialLoss(base?.provenance.loss),
          arch: components == null ? data.arch : { ...data.arch, latentComponents: components },
          data: data.dataset,
          seed: seed ?? DEFAULT_SEED,
          ...(batch != null && { batchSize: batch }),
          ...(emaDecay != null && { emaDecay }),
          ...(learningRate != null && { learningRate }),
          ...(decayFrom != null && { learningRateDecay: { start: decayFrom, end: steps } }),
        });
  if (base != null) {
    try {
      await startFromModel(trainer, base, initDir!);
      if (data.images != null) await checkBackground(data.images, trainer, { data: dataName, init: init!, invert });
    } catch (e) {
      trainer.dispose();
      throw e;
    }
  }
  const run: RunRecord = checkpoint?.run ?? {
    data: data.name,
    seconds: Number.isFinite(base?.provenance.seconds) ? base!.provenance.seconds! : 0,
    history: [],
    // A run from a model keeps its storage, unless --storage names another.
    ...(base != null && { initializedFrom: { model: init!, dataset: base.provenance.dataset, steps: trainer.step }, storage: await storageOfDir(initDir!) }),
    ...(invert && { inverted: true }),
  };
  run.storage = storage ?? run.storage ?? DEFAULT_STORAGE;
  const historyEvery = Math.max(1, Math.floor(steps / HISTORY_POINTS));

  const save = async () => {
    const model = await modelFromTrainer(trainer, {
      dataset: data.name,
      backend: report.backend,
      seconds: round(run.seconds),
      ...(run.initializedFrom && { initializedFrom: run.initializedFrom }),
    });
    const state: Checkpoint = { trainer: await trainer.getState(), run };
    stopIfDeviceLost();
    await writeDirAtomically(out, {
      ...(await encodeModelFiles(model, run.storage)),
      ...(await stateFiles(state, CHECKPOINT_DIR)),
      'history.json': new TextEncoder().encode(JSON.stringify(run.history) + '\n'),
      ...(run.history.length > 1 && {
        'curve.png': encodePng(linePlot([{ x: run.history.map((h) => h.step), y: run.history.map((h) => h.wasserstein) }])),
      }),
    }, MODEL_FOLDER);
  };

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = new Progress(steps, trainer.step, json);
  const runStart = performance.now();
  const secondsBefore = run.seconds;
  let lastSave = performance.now();
  try {
    if (trainer.step < steps) {
      await trainer.run({
        steps: steps - trainer.step,
        signal: stop.signal,
        onProgress: async (m: StepMetrics) => {
          stopIfDeviceLost();
          run.seconds = secondsBefore + (performance.now() - runStart) / 1000;
          progress.report(m);
          if (m.step % historyEvery === 0 || m.step === steps) run.history.push(historyPoint(m, run.seconds));
          if (performance.now() - lastSave > CHECKPOINT_SECONDS * 1000) {
            await save();
            lastSave = performance.now();
          }
        },
      });
    }
    await save();
  } catch (e) {
    if (lostDevice != null) {
      throw new Error(`the WebGPU device was lost (${lostDevice}); ${out} keeps its last checkpoint: go on with --resume --backend wasm.`);
    }
    if (e instanceof TrainingDivergedError) {
      throw new Error(`training diverged at step ${e.step} (${e.quantities.join(', ')} not finite); ${out} keeps its last good checkpoint.`);
    }
    throw e;
  } finally {
    progress.end();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    trainer.dispose();
  }
  const last = run.history.at(-1);
  const summary = { out, step: trainer.step, stopped: stop.signal.aborted ? 'interrupted' : 'completed', seconds: round(run.seconds), backend: report.backend, threads: report.threads, wasserstein: last?.wasserstein };
  (json ? process.stdout : process.stderr).write(JSON.stringify(summary) + '\n');
  if (stop.signal.aborted) process.exitCode = 130;
}

/** A copy of a run folder a cut save left behind is complete when its model and checkpoint both verify (checksums). */
async function isCompleteRun(copy: string): Promise<boolean> {
  try {
    await loadModelDir(copy);
    await loadStateDir(join(copy, CHECKPOINT_DIR));
    return true;
  } catch {
    return false;
  }
}

function historyPoint(m: StepMetrics, seconds: number): HistoryPoint {
  return { step: m.step, wasserstein: m.wasserstein, criticLoss: m.criticLoss, generatorLoss: m.generatorLoss, penalty: m.penalty, seconds: round(seconds) };
}

type ResumedFlag = 'data' | 'loss' | 'dim' | 'batch' | 'lr' | 'lr-decay' | 'latent-mixture' | 'ema' | 'seed' | 'invert' | 'conditional';

/**
 * `--resume` goes on with the checkpoint's settings: a flag given again must repeat its value,
 * since a different one would be ignored without a word (the trainer is rebuilt from its state).
 */
function checkResumedSettings(out: string, { run, trainer }: Checkpoint, given: Record<ResumedFlag, string | number | true | undefined>): void {
  const trained: Record<ResumedFlag, string | number | true | null> = {
    data: run.data,
    loss: trainer.loss,
    dim: widthOf(trainer.arch),
    batch: trainer.settings.batchSize,
    lr: trainer.settings.learningRate,
    'lr-decay': trainer.settings.learningRateDecay?.start ?? null,
    'latent-mixture': trainer.arch.latentComponents ?? null,
    ema: trainer.settings.emaDecay,
    seed: trainer.seed,
    invert: run.inverted || null,
    conditional: trainer.arch.labels != null || null,
  };
  for (const flag of Object.keys(trained) as ResumedFlag[]) {
    const [value, was] = [given[flag], trained[flag]];
    if (value == null || value === was) continue;
    const named = (v: string | number | true) => (v === true ? `--${flag}` : `--${flag} ${v}`);
    throw new UsageError(`--resume: ${out} was trained ${was == null ? `without --${flag}` : `with ${named(was)}`}, not ${named(value)}.`);
  }
}

/** A run from a model on images whose background is the other way round (train/background_check.ts): refused, naming --invert. */
async function checkBackground(images: ImageArray, trainer: Trainer, { data, init, invert }: { data: string; init: string; invert: boolean }): Promise<void> {
  const mismatch = await backgroundMismatch(trainer.generator, images);
  if (mismatch == null) return;
  const fix = invert ? 'drop --invert' : 'pass --invert to train on their negatives';
  throw new UsageError(`--data ${data}: its images${invert ? ', inverted,' : ''} have ${describeBackground(mismatch.images)} and ${init} draws on ${describeBackground(mismatch.model)}; ${fix}.`);
}

/** The --dim that rebuilds `arch` (resolveData's width: the MLP's hidden units, the conv nets' DIM). */
function widthOf(arch: ArchConfig): number {
  return arch.kind === 'mlp' ? arch.hidden : arch.dim;
}

/** An --init run without --loss goes on with the model's loss. */
function initialLoss(modelLoss: unknown): LossName {
  return LOSS_NAMES.includes(modelLoss as LossName) ? (modelLoss as LossName) : DEFAULT_LOSS;
}

function lossOption(value: unknown): LossName {
  if (!LOSS_NAMES.includes(value as LossName)) throw new UsageError(`--loss must be one of ${LOSS_NAMES.join(', ')} (got '${String(value)}').`);
  return value as LossName;
}

/** `--storage`: how the model folder stores weights (the checkpoint keeps float32 for exact resume). */
function storageOption(value: unknown): WeightStorage {
  if (!WEIGHT_STORAGES.includes(value as WeightStorage)) throw new UsageError(`--storage must be one of ${WEIGHT_STORAGES.join(', ')} (got '${String(value)}').`);
  return value as WeightStorage;
}

/** `--ema D`: keep a moving average of the generator with decay D in (0, 1); it is what gets saved. */
function decayOption(value: unknown): number | undefined {
  if (value == null) return undefined;
  const d = Number(value);
  if (!(d > 0 && d < 1)) throw new UsageError(`--ema must be a decay between 0 and 1, e.g. 0.999 (got '${String(value)}').`);
  return d;
}

function learningRateOption(value: unknown): number | undefined {
  if (value == null) return undefined;
  const rate = Number(value);
  if (!(rate > 0 && rate <= 1)) throw new UsageError(`--lr must be a learning rate in (0, 1], e.g. 4e-4 (got '${String(value)}').`);
  return rate;
}

/** The weight storage of a model folder (already loaded and checked, so its model.json parses). */
const storageOfDir = async (dir: string) => storageOf(JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')));

const round = (x: number) => Math.round(x * 100) / 100;
const exists = (path: string) => stat(path).then(() => true, () => false);
