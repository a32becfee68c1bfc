/**
 * Few-shot fine-tuning from a model's contents (the method: train/finetune.ts, docs/finetune.md):
 * checks the images against the model, keeps the latent components nearest them, and builds a
 * Trainer started from the model's networks (startFromModel) with DiffAugment, FreezeD and an
 * average of the generator; fineTune() also runs it and returns the tuned model's contents.
 */
import type { ImageArray } from '../data/images';
import { imageDataset } from '../data/images';
import type { ArchConfig } from '../models/config';
import { disposeParams } from '../nn/params';
import { backgroundMismatch, describeBackground } from '../train/background_check';
import {
  checkFineTuneImages,
  chooseComponents,
  definedOf,
  FINE_TUNE_DEFAULTS,
  FineTuneInputError,
  frozenCriticParams,
  type ComponentChoice,
  type FineTuneOptions,
} from '../train/finetune';
import type { TrainerState } from '../train/state';
import { Trainer, type RunResult } from '../train/trainer';
import type { ModelContents } from './codec';
import type { Provenance } from './format';
import { archOf, generatorFromModel, modelFromTrainer, startFromModel } from './networks';

export interface PreparedFineTune {
  trainer: Trainer;
  /** The components kept (null for a model without a latent mixture, or components 'all'). */
  choice: ComponentChoice | null;
  /** The trainer's architecture: the model's, with latentComponentsAllowed when components were chosen. */
  arch: ArchConfig;
  steps: number;
  /** The model's steps, where the fine-tune's count starts. */
  startStep: number;
  /** The trainer's state at its start (startFromModel's): what a run lost before its first snapshot is rebuilt from. */
  start: TrainerState;
}

/**
 * Checks the images against the model, chooses the components and builds the trainer, started
 * from the model's networks; the caller runs it (trainer.run) and disposes of it. For a caller
 * with its own run loop (the worker's); fineTune() does all of it.
 */
export async function prepareFineTune(base: ModelContents, images: ImageArray, options: FineTuneOptions = {}, source = 'the model'): Promise<PreparedFineTune> {
  const o = { ...FINE_TUNE_DEFAULTS, ...definedOf(options) };
  let model = base;
  const arch = archOf(model, source);
  checkFineTuneImages(images, arch);
  if (model.critic == null) {
    throw new FineTuneInputError(`${source} has no critic: fine-tuning trains one against the generator (load the model with its critic.bin)`, 'no-critic');
  }
  if (arch.labels != null) {
    throw new FineTuneInputError(`${source} is class-conditional (${arch.labels} labels): fine-tuning it toward one label is not supported yet`, 'bad-option');
  }
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new FineTuneInputError(`fineTune: steps must be an integer >= 0, got ${o.steps}`, 'bad-option');
  const frozen = frozenCriticParams(arch, o.frozenCriticLayers);

  let choice: ComponentChoice | null = null;
  const generator = generatorFromModel({ ...model, architecture: { ...arch, latentComponentsAllowed: undefined } }, source);
  try {
    const mismatch = await backgroundMismatch(generator, images);
    if (mismatch != null) {
      throw new FineTuneInputError(
        `the images have ${describeBackground(mismatch.images)} and ${source} draws on ${describeBackground(mismatch.model)}; invert them first (invertImages, --invert)`,
        'background',
      );
    }
    if (arch.latentComponents != null && o.components !== 'all') {
      if (Array.isArray(o.components)) {
        choice = { allowed: [...o.components].sort((a, b) => a - b), votes: [], nearestNoise: new Float32Array(0) };
      } else {
        choice = await chooseComponents(generator, images, { candidates: arch.latentComponentsAllowed, seed: o.seed, minRatio: o.componentVoteRatio });
      }
    } else if (Array.isArray(o.components)) {
      throw new FineTuneInputError(`fineTune: components [${o.components}] given, but ${source}'s generator has no latent mixture`, 'bad-option');
    }
  } finally {
    disposeParams(generator.params);
  }
  const tuned: ArchConfig = choice == null ? arch : { ...arch, latentComponentsAllowed: choice.allowed };
  if (choice != null && o.recentre !== 0 && choice.nearestNoise.length > 0) model = { ...model, generator: shiftedInput(model, choice.nearestNoise, o.recentre) };
  const trainer = new Trainer({
    loss: 'wgan-gp',
    arch: tuned,
    data: imageDataset(images, arch.outputRange, 'fine-tune images'),
    seed: o.seed,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    nCritic: o.criticSteps,
    emaDecay: o.emaDecay,
    augment: o.augment,
    frozenCriticParams: frozen,
  });
  let start: TrainerState;
  try {
    start = await startFromModel(trainer, { ...model, architecture: tuned as unknown as Record<string, unknown> }, source);
  } catch (e) {
    trainer.dispose();
    throw e;
  }
  return { trainer, choice, arch: tuned, steps: o.steps, startStep: trainer.step, start };
}

export interface FineTuneResult extends RunResult {
  /** The fine-tuned model: the generator's average (or the generator) and the critic. */
  model: ModelContents;
  choice: ComponentChoice | null;
  seconds: number;
}

/** The whole fine-tune: prepareFineTune, the run (stoppable by options.signal: it keeps what is done), the model. */
export async function fineTune(model: ModelContents, images: ImageArray, options: FineTuneOptions = {}, source = 'the model'): Promise<FineTuneResult> {
  const started = performance.now();
  const { trainer, choice, steps } = await prepareFineTune(model, images, options, source);
  try {
    const result = await trainer.run({ steps, signal: options.signal, onProgress: options.onProgress });
    const seconds = (performance.now() - started) / 1000;
    const tuned = await modelFromTrainer(trainer, fineTuneProvenance(model.provenance, { images: images.shape[0], steps: result.stepsRun, components: choice?.allowed ?? null, seconds: Math.round(seconds * 100) / 100 }));
    return { ...result, model: tuned, choice, seconds };
  } finally {
    trainer.dispose();
  }
}

/**
 * The generator's weights with its input moved by `scale` x `noise`: the network reads
 * (c_k + e) / sqrt(2) into its first dense layer ('input/kernel' [in, out], 'input/bias'), so
 * adding W^T (scale noise / sqrt(2)) to the bias moves every component's centre by scale x noise.
 */
function shiftedInput(model: ModelContents, noise: Float32Array, scale: number): ModelContents['generator'] {
  const kernel = model.generator['input/kernel'];
  const bias = model.generator['input/bias'];
  if (kernel == null || bias == null || kernel.shape[0] !== noise.length) throw new Error(`recentre: the generator has no input layer reading ${noise.length} noise values`);
  const [rows, cols] = kernel.shape;
  const values = Float32Array.from(bias.values);
  for (let r = 0; r < rows; r++) {
    const shift = (scale * noise[r]) / Math.SQRT2;
    for (let c = 0; c < cols; c++) values[c] += kernel.values[r * cols + c] * shift;
  }
  return { ...model.generator, 'input/bias': { shape: [...bias.shape], values } };
}

/**
 * A fine-tuned model's provenance: the base model's own record (dataset, license...) stays,
 * loss, seed and steps become the run's (modelFromTrainer adds them), and `fineTune` says what
 * the fine-tune did.
 */
export function fineTuneProvenance(base: Provenance, fineTune: { images: number; steps: number; components: number[] | null; seconds?: number }): Provenance {
  const { loss: _loss, seed: _seed, steps: _steps, backend: _backend, seconds: _seconds, metrics: _metrics, ...kept } = base;
  return { ...kept, fineTune };
}
