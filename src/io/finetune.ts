/**
 * Few-shot fine-tuning from a model's contents (the method: train/finetune.ts, docs/finetune.md):
 * brings the images to the model's size and channels (image_inputs.ts), checks them against the
 * model, keeps the latent components nearest them, and builds a Trainer started from the model's
 * networks (startFromModel) with DiffAugment, FreezeD and an average of the generator;
 * fineTune() also runs it, with progress (an ETA, a preview grid every few seconds), and returns
 * the tuned model's contents.
 */
import { invertImages } from '../data/image_pixels';
import type { ImageArray } from '../data/images';
import { imageDataset } from '../data/images';
import type { ArchConfig } from '../models/config';
import type { Network } from '../models/network';
import { disposeParams } from '../nn/params';
import { sampleGenerator } from '../sample/generate';
import { imageGrid } from '../sample/png';
import { backgroundMismatch, describeBackground } from '../train/background_check';
import {
  anchorsBetween,
  checkFineTuneImages,
  chooseSpread,
  chooseComponents,
  definedOf,
  FINE_TUNE_DEFAULTS,
  FineTuneInputError,
  frozenCriticParams,
  invertGenerator,
  type ComponentChoice,
  type FineTuneOptions,
} from '../train/finetune';
import type { TrainerState } from '../train/state';
import { Trainer, type RunResult, type StepMetrics } from '../train/trainer';
import type { ModelContents } from './codec';
import type { Provenance } from './format';
import { fineTuneImageArray, type FineTuneImages } from './image_inputs';
import { archOf, generatorFromModel, labelsAsComponents, modelFromTrainer, startFromModel } from './networks';

/** A step's metrics, with the seconds since the fine-tune started and an estimate of the seconds left. */
export interface FineTuneProgress extends StepMetrics {
  seconds: number;
  /** The run's steps left at its pace so far. */
  etaSeconds: number;
}

/** A grid of samples of the model as it is tuned: the same seeded latents each time, RGBA ready for `new ImageData(rgba, width, height)`. */
export interface FineTunePreview {
  /** The model's generator steps when drawn (the run's start step for the first grid, before any step). */
  step: number;
  width: number;
  height: number;
  rgba: Uint8ClampedArray<ArrayBuffer>;
  /** The Wasserstein estimate of that step; null before the first. */
  wasserstein: number | null;
}

/** The preview: PREVIEW.side x PREVIEW.side samples of seed PREVIEW.seed, PREVIEW.gap pixels apart, every `previewEveryMs`. */
export const PREVIEW = { side: 4, seed: 0, gap: 1, everyMs: 3000 } as const;

/** What a fine-tune takes beyond the method's options: how to read the images, and how to report. */
export interface FineTuneRunOptions extends Omit<FineTuneOptions, 'onProgress'> {
  /** Turns the images to their negatives first (ink on paper for MNIST's light-on-dark digits). */
  invert?: boolean;
  /**
   * The class to tune toward, for a conditional model (refused, 'not-conditional', for others);
   * left out, the model draws what the images show.
   */
  label?: number;
  onProgress?: (progress: FineTuneProgress) => void | Promise<void>;
  /** Gets a preview grid at the start, every previewEveryMs of the run, and at its end. */
  onPreview?: (preview: FineTunePreview) => void | Promise<void>;
  /** Milliseconds between previews (default PREVIEW.everyMs). */
  previewEveryMs?: number;
}

export interface PreparedFineTune {
  trainer: Trainer;
  /** The images as tuned on: at the model's size and channels, inverted if asked. */
  images: ImageArray;
  /** The components kept (null for a model without a latent mixture, or components 'all'). */
  choice: ComponentChoice | null;
  /** The trainer's architecture: the model's, with latentAnchors (or, without them, latentComponentsAllowed) when components were chosen. */
  arch: ArchConfig;
  steps: number;
  /** The model's steps, where the fine-tune's count starts. */
  startStep: number;
  /** The trainer's state at its start (startFromModel's): what a run lost before its first snapshot is rebuilt from. */
  start: TrainerState;
  /** The provenance of the model as tuned (a conditional model's says it was read as a mixture): fineTuneProvenance's base. */
  provenance: Provenance;
}

/**
 * Checks the images against the model, chooses the components and builds the trainer, started
 * from the model's networks; the caller runs it (trainer.run) and disposes of it. For a caller
 * with its own run loop (the worker's); fineTune() does all of it.
 */
export async function prepareFineTune(
  base: ModelContents,
  input: FineTuneImages,
  options: FineTuneRunOptions = {},
  source = 'the model',
): Promise<PreparedFineTune> {
  const o = { ...FINE_TUNE_DEFAULTS, ...definedOf(options) };
  const baseArch = archOf(base, source);
  const labelled = checkLabel(options.label, baseArch, options.components, source);
  // A conditional model is tuned as the mixture model it reads as (a component per label).
  const model = baseArch.labels == null ? base : labelsAsComponents(base, source);
  const arch = archOf(model, source);
  if (labelled != null) o.components = [labelled];
  const sized = await fineTuneImageArray(input, arch.outputShape);
  const images = options.invert ? invertImages(sized) : sized;
  checkFineTuneImages(images, arch);
  if (model.critic == null) {
    throw new FineTuneInputError(
      `${source} has no critic: fine-tuning trains one against the generator (load the model with its critic.bin)`,
      'no-critic',
    );
  }
  if (!Number.isInteger(o.steps) || o.steps < 0)
    throw new FineTuneInputError(`fineTune: steps must be an integer >= 0, got ${o.steps}`, 'bad-option');
  if (o.anchorSpread !== null && o.anchorSpread !== 'auto' && !(o.anchorSpread > 0 && o.anchorSpread <= 1)) {
    throw new FineTuneInputError(
      `fineTune: anchorSpread must be 'auto', a number in (0, 1] or null, got ${o.anchorSpread}`,
      'bad-option',
    );
  }
  if (!(o.spreadTarget > 0))
    throw new FineTuneInputError(`fineTune: spreadTarget must be a number > 0, got ${o.spreadTarget}`, 'bad-option');
  if (!Number.isInteger(o.anchorGroup) || o.anchorGroup < 1)
    throw new FineTuneInputError(`fineTune: anchorGroup must be an integer >= 1, got ${o.anchorGroup}`, 'bad-option');
  const frozen = frozenCriticParams(arch, o.frozenCriticLayers);

  let choice: ComponentChoice | null = null;
  let anchors: ArchConfig['latentAnchors'];
  const generator = generatorFromModel(
    { ...model, architecture: { ...arch, latentComponentsAllowed: undefined, latentAnchors: undefined } },
    source,
  );
  try {
    const mismatch = await backgroundMismatch(generator, images);
    if (mismatch != null) {
      throw new FineTuneInputError(
        `the images have ${describeBackground(mismatch.images)} and ${source} draws on ${describeBackground(mismatch.model)}; invert them first (the invert option, --invert)`,
        'background',
      );
    }
    if (arch.latentComponents != null && o.components !== 'all') {
      if (Array.isArray(o.components)) {
        choice = { allowed: [...o.components].sort((a, b) => a - b), votes: [] };
      } else {
        choice = await chooseComponents(generator, images, {
          candidates: arch.latentComponentsAllowed,
          seed: o.seed,
          minRatio: o.componentVoteRatio,
        });
      }
      if (o.anchorSpread != null) {
        const inversion = await invertGenerator(generator, images, choice.allowed, o.seed + 1);
        const spread =
          o.anchorSpread === 'auto'
            ? await chooseSpread(generator, images, inversion, o.anchorGroup, o.spreadTarget, o.seed)
            : o.anchorSpread;
        anchors = anchorsBetween(inversion, arch.latentComponents, spread, o.anchorGroup, o.seed);
      }
    } else if (Array.isArray(o.components)) {
      throw new FineTuneInputError(
        `fineTune: components [${o.components}] given, but ${source}'s generator has no latent mixture`,
        'bad-option',
      );
    }
  } finally {
    disposeParams(generator.params);
  }
  const tuned: ArchConfig =
    choice == null
      ? arch
      : anchors != null
        ? { ...arch, latentComponentsAllowed: undefined, latentAnchors: anchors }
        : { ...arch, latentComponentsAllowed: choice.allowed, latentAnchors: undefined };
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
    start = await startFromModel(
      trainer,
      { ...model, architecture: tuned as unknown as Record<string, unknown> },
      source,
    );
  } catch (e) {
    trainer.dispose();
    throw e;
  }
  return {
    trainer,
    images,
    choice,
    arch: tuned,
    steps: o.steps,
    startStep: trainer.step,
    start,
    provenance: model.provenance,
  };
}

/**
 * A label picks the class of a conditional model to tune toward (its component, once read as a
 * mixture); the images then only place the anchors. Returns it checked, or undefined.
 */
function checkLabel(
  label: number | undefined,
  arch: ArchConfig,
  components: FineTuneOptions['components'],
  source: string,
): number | undefined {
  if (label === undefined) return undefined;
  if (arch.labels == null)
    throw new FineTuneInputError(
      `${source} is not conditional: it draws one distribution and has no classes for label ${label} to pick; leave the label out (the images alone say what to draw)`,
      'not-conditional',
    );
  if (!Number.isInteger(label) || label < 0 || label >= arch.labels)
    throw new FineTuneInputError(
      `fineTune: label must be an integer from 0 to ${arch.labels - 1} (${source} has ${arch.labels} classes), got ${label}`,
      'bad-option',
    );
  if (components !== undefined)
    throw new FineTuneInputError('fineTune: give a label or components, not both', 'bad-option');
  return label;
}

/**
 * Progress of a fine-tune's run: each step's metrics with the time so far and an ETA, and the
 * preview grids (drawn from `generator()`, the network the result keeps, between steps).
 */
export class FineTuneMonitor {
  private readonly runStarted = performance.now();
  private lastPreview = -Infinity;
  private readonly everyMs: number;

  constructor(
    private readonly generator: () => Network,
    private readonly startStep: number,
    private readonly endStep: number,
    private readonly options: Pick<FineTuneRunOptions, 'onPreview' | 'previewEveryMs'> & { started?: number } = {},
  ) {
    this.everyMs = options.previewEveryMs ?? PREVIEW.everyMs;
    if (!(this.everyMs > 0))
      throw new FineTuneInputError(
        `fineTune: previewEveryMs must be a number > 0, got ${options.previewEveryMs}`,
        'bad-option',
      );
  }

  /** The step's progress; draws a preview first when one is due. */
  async step(metrics: StepMetrics): Promise<FineTuneProgress> {
    const now = performance.now();
    if (now - this.lastPreview >= this.everyMs) await this.preview(metrics.step, metrics.wasserstein);
    const done = metrics.step - this.startStep;
    const perStep = (now - this.runStarted) / 1000 / Math.max(1, done);
    return {
      ...metrics,
      seconds: (now - (this.options.started ?? this.runStarted)) / 1000,
      etaSeconds: perStep * Math.max(0, this.endStep - metrics.step),
    };
  }

  /** Draws and sends a preview now (when there is an onPreview): the run's start and end call it. */
  async preview(step: number, wasserstein: number | null): Promise<void> {
    if (this.options.onPreview == null) return;
    this.lastPreview = performance.now();
    await this.options.onPreview(await previewGrid(this.generator(), step, wasserstein));
  }
}

/** PREVIEW.side^2 samples of `generator` at PREVIEW.seed, laid out in a grid. */
export async function previewGrid(
  generator: Network,
  step: number,
  wasserstein: number | null,
): Promise<FineTunePreview> {
  const n = PREVIEW.side * PREVIEW.side;
  const { shape, values } = await sampleGenerator(generator, { n, seed: PREVIEW.seed, format: 'rgba' });
  const grid = imageGrid(
    new Uint8Array(values.buffer, values.byteOffset, values.length),
    shape,
    PREVIEW.side,
    PREVIEW.gap,
  );
  const rgba = new Uint8ClampedArray(grid.data.buffer as ArrayBuffer, grid.data.byteOffset, grid.data.length);
  // The gaps: opaque black, as the background of the demo's grids.
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  return { step, width: grid.width, height: grid.height, rgba, wasserstein };
}

export interface FineTuneResult extends RunResult {
  /** The fine-tuned model: the generator's average (or the generator) and the critic. */
  model: ModelContents;
  choice: ComponentChoice | null;
  seconds: number;
}

/**
 * The whole fine-tune: prepareFineTune, the run (stoppable by options.signal: it keeps what is
 * done) with its progress and previews, the model.
 */
export async function fineTune(
  model: ModelContents,
  input: FineTuneImages,
  options: FineTuneRunOptions = {},
  source = 'the model',
): Promise<FineTuneResult> {
  const started = performance.now();
  const { trainer, images, choice, steps, startStep, provenance } = await prepareFineTune(
    model,
    input,
    options,
    source,
  );
  try {
    const monitor = new FineTuneMonitor(() => trainer.emaGenerator ?? trainer.generator, startStep, startStep + steps, {
      ...options,
      started,
    });
    await monitor.preview(startStep, null);
    const result = await trainer.run({
      steps,
      signal: options.signal,
      onProgress: async (metrics) => {
        const progress = await monitor.step(metrics);
        await options.onProgress?.(progress);
      },
    });
    await monitor.preview(trainer.step, result.last?.wasserstein ?? null);
    const seconds = (performance.now() - started) / 1000;
    const tuned = await modelFromTrainer(
      trainer,
      fineTuneProvenance(provenance, {
        images: images.shape[0],
        steps: result.stepsRun,
        components: choice?.allowed ?? null,
        seconds: Math.round(seconds * 100) / 100,
      }),
    );
    return { ...result, model: tuned, choice, seconds };
  } finally {
    trainer.dispose();
  }
}

/**
 * A fine-tuned model's provenance: the base model's own record (dataset, license...) stays,
 * loss, seed and steps become the run's (modelFromTrainer adds them), and `fineTune` says what
 * the fine-tune did.
 */
export function fineTuneProvenance(
  base: Provenance,
  fineTune: { images: number; steps: number; components: number[] | null; seconds?: number },
): Provenance {
  const {
    loss: _loss,
    seed: _seed,
    steps: _steps,
    backend: _backend,
    seconds: _seconds,
    metrics: _metrics,
    ...kept
  } = base;
  return { ...kept, fineTune };
}
