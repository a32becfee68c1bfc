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
import { initBackend, type BackendOptions } from '../backend/init';
import { webGpuDeviceLost } from '../backend/webgpu_device';
import type { ImageArray } from '../data/images';
import { TOY_NAMES } from '../data/toy';
import type { ModelContents } from '../io/codec';
import { DirLockedError, lockDir } from '../io/dir_lock';
import { MODEL_JSON, storageOf, type WeightStorage } from '../io/format';
import { archOf, modelFromTrainer, startFromModel } from '../io/networks';
import {
  checkOutputDir,
  loadModelDir,
  MODEL_FOLDER,
  OutputRefusedError,
  recoverDir,
  writeDirAtomically,
} from '../io/node_files';
import { loadStateDir, stateFiles } from '../io/state_file';
import { encodeModelFiles } from '../io/storage_files';
import { LOSS_NAMES, type LossName } from '../losses/settings';
import type { ArchConfig } from '../models/config';
import { encodePng } from '../sample/png';
import { backgroundMismatch, describeBackground } from '../train/background_check';
import { Trainer, TrainingDivergedError, type StepMetrics } from '../train/trainer';
import { linePlot } from '../viz/plot';
import { LABELLED_SETS, resolveData, type DataChoice } from './data';
import { UsageError } from './errors';
import { resolveModel } from './model_path';
import { Progress } from './progress';
import {
  checkResumedSettings,
  parseTrainArgs,
  widthOf,
  type Checkpoint,
  type HistoryPoint,
  type RunRecord,
  type TrainOptions,
} from './train_flags';

const CHECKPOINT_DIR = 'checkpoint';
const CHECKPOINT_SECONDS = 30;
const DEFAULT_LOSS: LossName = 'wgan-gp';
const DEFAULT_SEED = 0;
const DEFAULT_STORAGE: WeightStorage = 'float32';
/** Generator steps when --steps is not given: toy sets converge in these with the defaults. */
const DEFAULT_STEPS = { toy: 2000, images: 5000 };
/** At most this many points of the training curve are kept in history.json. */
const HISTORY_POINTS = 1000;

export async function train(argv: string[]): Promise<void> {
  const { options, backend } = parseTrainArgs(argv);
  const out = options.out;
  await checkOutputDir(out, MODEL_FOLDER, `--out ${out}`).catch((e: Error) => {
    throw e instanceof OutputRefusedError ? new UsageError(e.message) : e;
  });
  const unlock = await lockDir(out).catch((e: NodeJS.ErrnoException) => {
    if (e instanceof DirLockedError) throw e;
    throw new UsageError(
      `--out ${out}: cannot create files beside it (${e.message}); --out must name a folder in a place this user can write.`,
    );
  });
  try {
    const recovered = await recoverDir(out, isCompleteRun);
    if (recovered != null) process.stderr.write(`${recovered}\n`);
    await trainInto(options, backend);
  } finally {
    await unlock();
  }
}

/** Where a run starts: its checkpoint (a resume), the model it starts from (--init), and how far it goes. */
interface RunStart {
  checkpoint: Checkpoint | null;
  initDir: string | null;
  base: ModelContents | null;
  baseArch: ArchConfig | null;
  /** The networks' width: --dim, or the --init model's. */
  width: number | undefined;
  /** The generator step the run ends at. */
  steps: number;
}

/** The run itself, with `out` locked against other writers. */
async function trainInto(options: TrainOptions, backend: BackendOptions): Promise<void> {
  const start = await planRun(options);
  const report = await initBackend(backend);
  const device = watchDevice();
  const { checkpoint, baseArch } = start;
  const labelled = options.conditional || checkpoint?.trainer.arch.labels != null || baseArch?.labels != null;
  const data = await resolveData(
    options.data,
    start.width,
    options.invert || checkpoint?.run.inverted === true,
    labelled,
  );
  const trainer = await buildTrainer(options, start, data);
  const run = await runRecord(options, start, data.name, trainer);
  const save = async () => {
    const files = await runFiles(trainer, run, data.name, report.backend);
    device.stopIfLost();
    await writeDirAtomically(options.out, files, MODEL_FOLDER);
  };
  const stopped = await trainWithCheckpoints(trainer, run, start.steps, {
    save,
    beforeStep: device.stopIfLost,
    json: options.json,
  }).catch((e) => {
    throw explainFailure(e, device.lost(), options.out);
  });
  const last = run.history.at(-1);
  const summary = {
    out: options.out,
    step: trainer.step,
    stopped: stopped ? 'interrupted' : 'completed',
    seconds: round(run.seconds),
    backend: report.backend,
    threads: report.threads,
    wasserstein: last?.wasserstein,
  };
  (options.json ? process.stdout : process.stderr).write(JSON.stringify(summary) + '\n');
  if (stopped) process.exitCode = 130;
}

/** The checks a run's flags must pass against the folder, the --init model and the checkpoint, before the backend starts. */
async function planRun(options: TrainOptions): Promise<RunStart> {
  const { data: dataName, out, resume, init, dim, latentComponents, conditional, decayFrom } = options;
  const hasModel = await exists(join(out, 'model.json'));
  if (hasModel && !resume)
    throw new UsageError(`${out} already holds a model: pass --resume to continue its run, or choose another --out.`);
  if (hasModel && init != null)
    throw new UsageError(
      `--init starts a new run, and ${out} already holds one: drop --init to go on with it, or choose another --out.`,
    );
  const initDir = init == null ? null : await resolveModel(init);
  const base = initDir == null ? null : await loadModelDir(initDir);
  const baseArch = base == null ? null : archOf(base, initDir!);
  const width = baseArch == null ? dim : widthOf(baseArch);
  if (dim != null && dim !== width)
    throw new UsageError(`--init ${init}: the model's networks have width ${width}, not --dim ${dim}; drop --dim.`);
  if (base != null && latentComponents != null)
    throw new UsageError(`--init ${init}: the model's generator decides its latent; drop --latent-mixture.`);
  if (base != null && conditional)
    throw new UsageError(`--init ${init}: the model decides whether it is conditional; drop --conditional.`);
  if (baseArch?.labels != null && !LABELLED_SETS.includes(dataName)) {
    throw new UsageError(
      `--init ${init} is class-conditional: it trains on the labels of ${LABELLED_SETS.join(', ')}, and --data ${dataName} has none.`,
    );
  }
  const checkpoint = resume && hasModel ? ((await loadStateDir(join(out, CHECKPOINT_DIR))) as Checkpoint) : null;
  if (checkpoint != null) checkResumedSettings(out, checkpoint, options);
  const decayEnd = checkpoint?.trainer.settings.learningRateDecay?.end;
  const steps =
    options.steps ??
    decayEnd ??
    ((TOY_NAMES as readonly string[]).includes(dataName) ? DEFAULT_STEPS.toy : DEFAULT_STEPS.images);
  if (decayEnd != null && steps !== decayEnd) {
    throw new UsageError(
      `--resume: ${out} decays its learning rate to 0 at step ${decayEnd}; --steps must be ${decayEnd}, not ${steps}.`,
    );
  }
  if (decayFrom != null && decayFrom >= steps)
    throw new UsageError(
      `--lr-decay ${decayFrom} must be below --steps (${steps}): the rate falls to 0 from that step to the last.`,
    );
  return { checkpoint, initDir, base, baseArch, width, steps };
}

/**
 * A lost WebGPU device, or one that reported an error, computed nothing or garbage: no step
 * from then on is saved, and the run stops at its next step.
 */
function watchDevice(): { stopIfLost: () => void; lost: () => string | null } {
  let lostDevice: string | null = null;
  void webGpuDeviceLost()?.then((reason) => {
    lostDevice = reason;
  });
  return {
    stopIfLost: () => {
      if (lostDevice != null) throw new Error('the WebGPU device was lost');
    },
    lost: () => lostDevice,
  };
}

/** The trainer: the checkpoint's, or a new one on the flags (and the --init model's networks). */
async function buildTrainer(options: TrainOptions, start: RunStart, data: DataChoice): Promise<Trainer> {
  const { checkpoint, base, baseArch, initDir, steps } = start;
  const { loss, seed, batch, emaDecay, learningRate, decayFrom, latentComponents } = options;
  const components = baseArch == null ? latentComponents : baseArch.latentComponents;
  if (components != null && components >= data.arch.latentDim) {
    throw new UsageError(
      `--latent-mixture ${components}: the ${data.arch.kind} generator's latent has ${data.arch.latentDim} values; K must be below that.`,
    );
  }
  if (checkpoint != null) return Trainer.fromState(checkpoint.trainer, data.dataset);
  const trainer = new Trainer({
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
      if (data.images != null)
        await checkBackground(data.images, trainer, {
          data: options.data,
          init: options.init!,
          invert: options.invert,
        });
    } catch (e) {
      trainer.dispose();
      throw e;
    }
  }
  return trainer;
}

/** The run's record: the checkpoint's, or a new one (a run from a model keeps its storage, unless --storage names another). */
async function runRecord(
  options: TrainOptions,
  { checkpoint, base, initDir }: RunStart,
  dataName: string,
  trainer: Trainer,
): Promise<RunRecord> {
  const run: RunRecord = checkpoint?.run ?? {
    data: dataName,
    seconds: Number.isFinite(base?.provenance.seconds) ? base!.provenance.seconds! : 0,
    history: [],
    ...(base != null && {
      initializedFrom: { model: options.init!, dataset: base.provenance.dataset, steps: trainer.step },
      storage: await storageOfDir(initDir!),
    }),
    ...(options.invert && { inverted: true }),
  };
  run.storage = options.storage ?? run.storage ?? DEFAULT_STORAGE;
  return run;
}

/** The run folder's files: the model, the checkpoint, the history and its curve. */
async function runFiles(
  trainer: Trainer,
  run: RunRecord,
  dataset: string,
  backend: string,
): Promise<Record<string, Uint8Array>> {
  const model = await modelFromTrainer(trainer, {
    dataset,
    backend,
    seconds: round(run.seconds),
    ...(run.initializedFrom && { initializedFrom: run.initializedFrom }),
  });
  const state: Checkpoint = { trainer: await trainer.getState(), run };
  return {
    ...(await encodeModelFiles(model, run.storage)),
    ...(await stateFiles(state, CHECKPOINT_DIR)),
    'history.json': new TextEncoder().encode(JSON.stringify(run.history) + '\n'),
    ...(run.history.length > 1 && {
      'curve.png': encodePng(
        linePlot([{ x: run.history.map((h) => h.step), y: run.history.map((h) => h.wasserstein) }]),
      ),
    }),
  };
}

/**
 * Trains to generator step `steps`, recording the history and saving every CHECKPOINT_SECONDS
 * and at the end; Ctrl-C (SIGINT, SIGTERM) stops at the next step and saves, and `beforeStep`
 * throwing stops it without a save. Resolves true when Ctrl-C stopped it.
 */
async function trainWithCheckpoints(
  trainer: Trainer,
  run: RunRecord,
  steps: number,
  { save, beforeStep, json }: { save: () => Promise<void>; beforeStep: () => void; json: boolean },
): Promise<boolean> {
  const historyEvery = Math.max(1, Math.floor(steps / HISTORY_POINTS));
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
          beforeStep();
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
  } finally {
    progress.end();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    trainer.dispose();
  }
  return stop.signal.aborted;
}

/** A failed run's error as the user reads it: what happened and what the folder keeps. */
function explainFailure(error: unknown, lostDevice: string | null, out: string): unknown {
  if (lostDevice != null) {
    return new Error(
      `the WebGPU device was lost (${lostDevice}); ${out} keeps its last checkpoint: go on with --resume --backend wasm.`,
    );
  }
  if (error instanceof TrainingDivergedError) {
    return new Error(
      `training diverged at step ${error.step} (${error.quantities.join(', ')} not finite); ${out} keeps its last good checkpoint.`,
    );
  }
  return error;
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
  return {
    step: m.step,
    wasserstein: m.wasserstein,
    criticLoss: m.criticLoss,
    generatorLoss: m.generatorLoss,
    penalty: m.penalty,
    seconds: round(seconds),
  };
}

/** A run from a model on images whose background is the other way round (train/background_check.ts): refused, naming --invert. */
async function checkBackground(
  images: ImageArray,
  trainer: Trainer,
  { data, init, invert }: { data: string; init: string; invert: boolean },
): Promise<void> {
  const mismatch = await backgroundMismatch(trainer.generator, images);
  if (mismatch == null) return;
  const fix = invert ? 'drop --invert' : 'pass --invert to train on their negatives';
  throw new UsageError(
    `--data ${data}: its images${invert ? ', inverted,' : ''} have ${describeBackground(mismatch.images)} and ${init} draws on ${describeBackground(mismatch.model)}; ${fix}.`,
  );
}

/** An --init run without --loss goes on with the model's loss. */
function initialLoss(modelLoss: unknown): LossName {
  return LOSS_NAMES.includes(modelLoss as LossName) ? (modelLoss as LossName) : DEFAULT_LOSS;
}

/** The weight storage of a model folder (already loaded and checked, so its model.json parses). */
const storageOfDir = async (dir: string) => storageOf(JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')));

const round = (x: number) => Math.round(x * 100) / 100;
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
