/**
 * The training loop: n_critic critic updates, then one generator update, per step. Seeded
 * (same seed and backend: same weights), guarded against non-finite values, cancellable,
 * and exactly resumable from getState(). One async readback per generator step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
import { criticTerms, defaultsFor, generatorLoss, lossModule } from '../losses';
import type { LossModule } from '../losses/loss';
import type { LossName, TrainSettings } from '../losses/settings';
import { validateSettings } from '../losses/settings';
import { criticStepsAt } from '../losses/wgan';
import { createMixtureCritic, mixtureWeights } from '../losses/wgan_c';
import { createCritic, createGenerator } from '../models';
import { validateArch, type ArchConfig } from '../models/config';
import type { Network } from '../models/network';
import { assignParams, checkArrays, cloneParams, readParams, type NamedArrays, type Params } from '../nn/params';
import { latents } from '../sample/latents';
import { ConfigError } from '../utils/errors';
import { Rng } from '../utils/rng';
import { checkPolicy, diffAugment, type DiffAugmentPolicy } from './diff_augment';
import { learningRateAt, Optimizer } from './optimizers';
import {
  checkStateEnvelope,
  settingsOf,
  TRAINER_STATE_FORMAT,
  TRAINER_STATE_VERSION,
  type TrainerState,
} from './state';

export interface TrainerConfig extends Partial<TrainSettings> {
  loss: LossName;
  arch: ArchConfig;
  data: Dataset;
  /** Seeds the weights and every random draw of the run: an integer in [0, 2^32). */
  seed: number;
  /**
   * DiffAugment (diff_augment.ts): the critic sees T(real) and T(fake) in every update, the
   * penalty interpolating between the two augmented batches; the generator learns through T.
   * A fine-tune's option (train/finetune.ts): not part of the settings a state records.
   */
  augment?: DiffAugmentPolicy | null;
  /** FreezeD (Mo et al. 2020): critic parameters (by name, e.g. 'conv1/kernel') no update changes. Not recorded either. */
  frozenCriticParams?: readonly string[];
}

export interface StepMetrics {
  /** Generator steps done, this one included. */
  step: number;
  /** Critic updates in this step (n_critic, or the WGAN warm-up's count). */
  criticSteps: number;
  /** Means over this step's critic updates. */
  criticLoss: number;
  wasserstein: number;
  penalty: number;
  criticGradNorm: number;
  generatorLoss: number;
  generatorGradNorm: number;
  /** WGAN-C: the mixture weights used in this step; null otherwise. */
  mixtureWeights: number[] | null;
  /** Wall time of the step, readback included. */
  stepMs: number;
}

export interface RunOptions {
  steps: number;
  /** Aborting stops the run before its next step; run() then resolves with what it did. */
  signal?: AbortSignal;
  /** Called after every step; a returned promise is awaited (getState() is safe inside it). */
  onProgress?: (metrics: StepMetrics) => void | Promise<void>;
}

export interface RunResult {
  stopped: 'completed' | 'aborted';
  stepsRun: number;
  /** Generator steps done in total. */
  step: number;
  last: StepMetrics | null;
}

/** A non-finite loss, gradient or weight; the trainer is back at the state before the step. */
export class TrainingDivergedError extends Error {
  override name = 'TrainingDivergedError';
  constructor(
    message: string,
    /** The generator step (from 0) that went non-finite. */
    readonly step: number,
    /** Which of criticLoss, wasserstein, penalty, criticGradNorm, generatorLoss, generatorGradNorm, weights. */
    readonly quantities: string[],
  ) {
    super(message);
  }
}

/** The order of the scalars in the one readback per step. */
const READBACK = [
  'criticLoss',
  'wasserstein',
  'penalty',
  'criticGradNorm',
  'generatorLoss',
  'generatorGradNorm',
  'weightSum',
] as const;
const SETTING_KEYS = Object.keys(defaultsFor('wgan-gp', 'mlp')) as (keyof TrainSettings)[];

export class Trainer {
  readonly loss: LossName;
  readonly arch: ArchConfig;
  readonly settings: TrainSettings;
  readonly seed: number;
  readonly data: Dataset;
  readonly generator: Network;
  /** For WGAN-C the mixture, weighted as at the current step. */
  readonly critic: Network;
  /** The moving average of the generator's weights (settings.emaDecay), else null. */
  readonly emaGenerator: Network | null;

  private readonly lossFns: LossModule;
  private readonly rng: Rng;
  private readonly generatorOptimizer: Optimizer;
  private readonly criticOptimizer: Optimizer;
  private readonly generatorNames: Map<string, string>;
  private readonly criticNames: Map<string, string>;
  /** DiffAugment's policy (config.augment), or null. */
  readonly augment: DiffAugmentPolicy | null;
  /** FreezeD's critic parameters (config.frozenCriticParams). */
  readonly frozenCriticParams: readonly string[];
  /** The critic's variables its updates change (all but FreezeD's). */
  private readonly criticTrainable: tf.Variable[];
  private steps = 0;
  private busy: 'running' | 'stepping' | null = null;
  private disposed = false;

  constructor(config: TrainerConfig) {
    const { loss, arch, data, seed, augment, frozenCriticParams, ...overrides } = config;
    this.lossFns = lossModule(loss);
    this.loss = loss;
    this.arch = structuredClone(validateArch(arch));
    checkDataset(data, this.arch);
    this.data = data;
    this.settings = resolveSettings(loss, this.arch, overrides);
    this.rng = new Rng(seed);
    this.seed = seed;

    this.generator = createGenerator(this.arch, this.rng.seed());
    const curriculum = this.settings.curriculum;
    if (curriculum === null) {
      this.critic = createCritic(this.arch, this.rng.seed());
    } else {
      const mixture = createMixtureCritic(this.arch, curriculum.critics, this.rng.seed());
      this.critic = {
        config: this.arch,
        role: 'critic',
        params: mixture.params,
        apply: (p, x, labels) => mixture.apply(p, x, mixtureWeights(curriculum, this.steps), labels),
      };
    }
    this.emaGenerator =
      this.settings.emaDecay === null ? null : { ...this.generator, params: cloneParams(this.generator.params) };
    this.generatorOptimizer = new Optimizer(this.generator.params, this.settings);
    this.criticOptimizer = new Optimizer(this.critic.params, this.settings);
    this.generatorNames = variableNames(this.generator.params);
    this.criticNames = variableNames(this.critic.params);
    this.augment = augment == null ? null : checkPolicy(augment);
    if (this.augment !== null && this.arch.outputShape.length !== 3) {
      this.dispose();
      throw new ConfigError(
        `trainer config: augment (DiffAugment) works on images, the ${this.arch.kind} generator makes [${this.arch.outputShape}]`,
        'bad-settings',
      );
    }
    const frozen = new Set(frozenCriticParams ?? []);
    const unknown = [...frozen].filter((name) => !(name in this.critic.params));
    if (unknown.length > 0) {
      this.dispose();
      throw new ConfigError(
        `trainer config: frozenCriticParams names ${unknown.join(', ')}, not critic parameters (${Object.keys(this.critic.params).join(', ')})`,
        'bad-settings',
      );
    }
    this.frozenCriticParams = [...frozen];
    this.criticTrainable = Object.entries(this.critic.params)
      .filter(([name]) => !frozen.has(name))
      .map(([, v]) => v);
  }

  /**
   * A trainer continuing exactly where `state` left off; `data` must be the same data set, and
   * `options` the run's augment and frozenCriticParams (a state does not record them).
   */
  static fromState(
    state: TrainerState,
    data: Dataset,
    options: Pick<TrainerConfig, 'augment' | 'frozenCriticParams'> = {},
  ): Trainer {
    checkStateEnvelope(state);
    const trainer = new Trainer({
      ...settingsOf(state),
      loss: state.loss,
      arch: state.arch,
      data,
      seed: state.seed,
      ...options,
    });
    try {
      trainer.setState(state);
    } catch (e) {
      trainer.dispose();
      throw e;
    }
    return trainer;
  }

  /** Generator steps done. */
  get step(): number {
    return this.steps;
  }

  async run(options: RunOptions): Promise<RunResult> {
    this.checkUsable('run');
    const { steps, signal, onProgress } = options;
    if (!Number.isInteger(steps) || steps < 0)
      throw new ConfigError(`run: steps must be an integer >= 0, got ${steps}`, 'bad-steps');
    this.busy = 'running';
    let last: StepMetrics | null = null;
    let stepsRun = 0;
    try {
      while (stepsRun < steps) {
        if (signal?.aborted) return { stopped: 'aborted', stepsRun, step: this.steps, last };
        this.busy = 'stepping';
        last = await this.trainStep();
        this.busy = 'running';
        stepsRun++;
        // A step's readback resolves as a microtask on cpu and wasm; without a macrotask boundary
        // no timer, message or OS signal (Ctrl-C) could ever abort the run.
        await yieldToEventLoop();
        if (onProgress) await onProgress(last);
      }
      return { stopped: 'completed', stepsRun, step: this.steps, last };
    } finally {
      this.busy = null;
    }
  }

  async getState(): Promise<TrainerState> {
    this.checkUsable('getState', true);
    const [generator, critic, ema, generatorOptimizer, criticOptimizer] = await Promise.all([
      readParams(this.generator.params),
      readParams(this.critic.params),
      this.emaGenerator ? readParams(this.emaGenerator.params) : Promise.resolve(null),
      this.generatorOptimizer.getState(),
      this.criticOptimizer.getState(),
    ]);
    return {
      format: TRAINER_STATE_FORMAT,
      version: TRAINER_STATE_VERSION,
      loss: this.loss,
      arch: structuredClone(this.arch),
      settings: structuredClone(this.settings),
      seed: this.seed,
      step: this.steps,
      rng: this.rng.getState(),
      generator,
      critic,
      ema,
      generatorOptimizer,
      criticOptimizer,
    };
  }

  /**
   * The weights a model file keeps, all of one step: the generator's (its EMA's when kept) and
   * the critic's (none for WGAN-C: its mixture is not a critic a model file describes). Like
   * getState, call it from onProgress or after run() resolves.
   */
  async readWeights(): Promise<{ step: number; generator: NamedArrays; critic: NamedArrays | undefined }> {
    this.checkUsable('readWeights', true);
    const step = this.steps;
    const [generator, critic] = await Promise.all([
      readParams((this.emaGenerator ?? this.generator).params),
      this.loss === 'wgan-c' ? undefined : readParams(this.critic.params),
    ]);
    return { step, generator, critic };
  }

  /** Restores a state of a run with the same loss, architecture and settings. All or nothing. */
  setState(state: TrainerState): void {
    this.checkUsable('setState', true);
    checkStateEnvelope(state);
    if (state.loss !== this.loss)
      throw new ConfigError(
        `trainer state: it is a '${state.loss}' run, this trainer runs '${this.loss}'`,
        'bad-state',
      );
    if (JSON.stringify(state.arch) !== JSON.stringify(this.arch)) {
      throw new ConfigError(
        `trainer state: architecture ${JSON.stringify(state.arch)} differs from this trainer's ${JSON.stringify(this.arch)}`,
        'bad-state',
      );
    }
    if (JSON.stringify(settingsOf(state)) !== JSON.stringify(this.settings)) {
      throw new ConfigError(
        `trainer state: settings ${JSON.stringify(settingsOf(state))} differ from this trainer's ${JSON.stringify(this.settings)}`,
        'bad-state',
      );
    }
    checkArrays(this.generator.params, state.generator, 'trainer state: generator');
    checkArrays(this.critic.params, state.critic, 'trainer state: critic');
    if ((state.ema === null) !== (this.emaGenerator === null)) {
      throw new ConfigError(
        `trainer state: ema is ${state.ema === null ? 'missing' : 'present'} but settings.emaDecay is ${this.settings.emaDecay}`,
        'bad-state',
      );
    }
    if (this.emaGenerator && state.ema) checkArrays(this.emaGenerator.params, state.ema, 'trainer state: ema');
    checkArrays(
      this.generatorOptimizer.slots,
      state.generatorOptimizer?.slots,
      'trainer state: generator optimizer slots',
    );
    checkArrays(this.criticOptimizer.slots, state.criticOptimizer?.slots, 'trainer state: critic optimizer slots');
    const rng = Rng.fromState(state.rng);

    assignParams(this.generator.params, state.generator, 'trainer state: generator');
    assignParams(this.critic.params, state.critic, 'trainer state: critic');
    if (this.emaGenerator && state.ema) assignParams(this.emaGenerator.params, state.ema, 'trainer state: ema');
    this.generatorOptimizer.setState(state.generatorOptimizer, 'trainer state: generator optimizer');
    this.criticOptimizer.setState(state.criticOptimizer, 'trainer state: critic optimizer');
    this.rng.setState(rng.getState());
    this.steps = state.step;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.allVariables()) v.dispose();
  }

  private checkUsable(what: string, betweenSteps = false): void {
    if (this.disposed) throw new Error(`${what}: the trainer was disposed`);
    if (this.busy === 'stepping' || (!betweenSteps && this.busy !== null)) {
      throw new Error(
        `${what}: the trainer is ${this.busy === 'running' ? 'running' : 'in the middle of a step'}; call it from onProgress or after run() resolves`,
      );
    }
  }

  private allVariables(): tf.Variable[] {
    return [
      ...Object.values(this.generator.params),
      ...Object.values(this.critic.params),
      ...Object.values(this.emaGenerator?.params ?? {}),
      ...Object.values(this.generatorOptimizer.slots),
      ...Object.values(this.criticOptimizer.slots),
    ];
  }

  /** One generator step; on any failure the trainer is rolled back to before it. */
  private async trainStep(): Promise<StepMetrics> {
    const started = performance.now();
    const variables = this.allVariables();
    const saved = variables.map((v) => tf.clone(v));
    const savedRng = this.rng.getState();
    const savedUpdates = [this.generatorOptimizer.updates, this.criticOptimizer.updates];
    const rollBack = () => {
      variables.forEach((v, i) => v.assign(saved[i]));
      this.rng.setState(savedRng);
      [this.generatorOptimizer.updates, this.criticOptimizer.updates] = savedUpdates;
    };
    try {
      const criticSteps = criticStepsAt(this.steps, this.settings);
      const weights = this.settings.curriculum ? mixtureWeights(this.settings.curriculum, this.steps) : null;
      const readback = this.computeStep(criticSteps);
      const values = await readback.data();
      readback.dispose();
      const bad = READBACK.filter((_, i) => !Number.isFinite(values[i])).map((q) =>
        q === 'weightSum' ? 'weights' : q,
      );
      if (bad.length > 0) {
        rollBack();
        throw new TrainingDivergedError(
          `training diverged at generator step ${this.steps}: non-finite ${bad.join(', ')}. The trainer was rolled back to ` +
            `its state after ${this.steps} generator steps (all finite); lower the learning rate or check the data for NaN/Inf.`,
          this.steps,
          bad,
        );
      }
      this.steps++;
      const at = (q: (typeof READBACK)[number]) => values[READBACK.indexOf(q)];
      return {
        step: this.steps,
        criticSteps,
        criticLoss: at('criticLoss'),
        wasserstein: at('wasserstein'),
        penalty: at('penalty'),
        criticGradNorm: at('criticGradNorm'),
        generatorLoss: at('generatorLoss'),
        generatorGradNorm: at('generatorGradNorm'),
        mixtureWeights: weights,
        stepMs: performance.now() - started,
      };
    } catch (e) {
      if (!(e instanceof TrainingDivergedError)) rollBack();
      throw e;
    } finally {
      for (const t of saved) t.dispose();
    }
  }

  /** Runs the updates and returns the READBACK scalars as one tensor, still on the device. */
  private computeStep(criticSteps: number): tf.Tensor1D {
    let criticSums: tf.Tensor1D = tf.zeros([4]);
    try {
      for (let i = 0; i < criticSteps; i++) {
        const next = tf.tidy(() => tf.add(criticSums, this.criticUpdate()) as tf.Tensor1D);
        criticSums.dispose();
        criticSums = next;
      }
      const sums = criticSums;
      return tf.tidy(() => tf.concat([tf.div(sums, criticSteps), this.generatorUpdate()]) as tf.Tensor1D);
    } finally {
      criticSums.dispose();
    }
  }

  /**
   * One critic update; returns [loss, wasserstein, penalty, gradient norm]. A conditional run
   * gives the fakes the real batch's labels: drawn from the data's label distribution, and each
   * interpolate of the penalty then lies between two samples of one label, which it keeps.
   */
  private criticUpdate(): tf.Tensor1D {
    const { batchSize, clip } = this.settings;
    const G = this.generator;
    const criticVars = this.criticTrainable;
    const labelled = this.arch.labels == null ? null : this.data.labelled!.nextLabelled(batchSize, this.rng);
    const labels = labelled?.labels;
    const critic = (x: tf.Tensor) => this.critic.apply(this.critic.params, x, labels);
    let real = labelled?.samples ?? this.data.next(batchSize, this.rng);
    checkBatch(real, batchSize, this.arch);
    let fake = G.apply(G.params, latents(batchSize, this.arch.latentDim, this.rng.seed()), labels);
    if (this.augment !== null) {
      real = diffAugment(real, this.rng.seed(), this.augment);
      fake = diffAugment(fake, this.rng.seed(), this.augment);
    }
    const penaltySeed = this.rng.seed();
    // variableGrads returns only the loss: the other terms leave its scope through tf.keep.
    const kept: tf.Tensor[] = [];
    try {
      const { value, grads } = tf.variableGrads(() => {
        const terms = criticTerms(this.lossFns, critic, real, fake, this.settings, penaltySeed);
        kept.push(tf.keep(terms.wasserstein), tf.keep(terms.penalty));
        return terms.loss;
      }, criticVars);
      this.criticOptimizer.apply(byParamName(grads, this.criticNames), learningRateAt(this.settings, this.steps));
      if (clip !== null) for (const p of criticVars) p.assign(tf.clipByValue(p, -clip, clip));
      return tf.stack([value, kept[0], kept[1], globalNorm(grads)]) as tf.Tensor1D;
    } finally {
      for (const t of kept) t.dispose();
    }
  }

  /** One generator update (and EMA); returns [loss, gradient norm, sum of all weights]. */
  private generatorUpdate(): tf.Tensor1D {
    const { batchSize, emaDecay } = this.settings;
    const G = this.generator;
    const z = latents(batchSize, this.arch.latentDim, this.rng.seed());
    const labels = this.arch.labels == null ? undefined : this.data.labelled!.nextLabels(batchSize, this.rng);
    const augment = this.augment;
    const augmentSeed = augment === null ? 0 : this.rng.seed();
    const { value, grads } = tf.variableGrads(() => {
      const fake = G.apply(G.params, z, labels);
      return generatorLoss(
        this.lossFns,
        (x) => this.critic.apply(this.critic.params, x, labels),
        augment === null ? fake : diffAugment(fake, augmentSeed, augment),
        this.settings,
      );
    }, Object.values(G.params));
    this.generatorOptimizer.apply(byParamName(grads, this.generatorNames), learningRateAt(this.settings, this.steps));
    if (this.emaGenerator && emaDecay !== null) {
      const decay = emaDecayAt(this.steps, emaDecay);
      for (const [name, e] of Object.entries(this.emaGenerator.params)) {
        e.assign(tf.add(tf.mul(e, decay), tf.mul(G.params[name], 1 - decay)));
      }
    }
    // A non-finite weight anywhere makes this sum non-finite: the guard's weight check.
    const weightSum = tf.addN([...Object.values(this.critic.params), ...Object.values(G.params)].map((p) => tf.sum(p)));
    return tf.stack([value, globalNorm(grads), weightSum]) as tf.Tensor1D;
  }
}

/**
 * The EMA decay used at generator step `step` (from 0): min(decay, (1 + step) / (10 + step)),
 * as tf.train.ExponentialMovingAverage does with num_updates. Without the warm-up a 0.999
 * average still holds 37% of the random initial weights after 1000 steps.
 */
export function emaDecayAt(step: number, decay: number): number {
  return Math.min(decay, (1 + step) / (10 + step));
}

function resolveSettings(loss: LossName, arch: ArchConfig, overrides: Partial<TrainSettings>): TrainSettings {
  const unknown = Object.keys(overrides).filter((k) => !SETTING_KEYS.includes(k as keyof TrainSettings));
  if (unknown.length > 0)
    throw new ConfigError(
      `trainer config: unknown setting ${unknown.join(', ')}; settings are ${SETTING_KEYS.join(', ')}`,
      'bad-settings',
    );
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return validateSettings(structuredClone({ ...defaultsFor(loss, arch.kind), ...given }));
}

function checkDataset(data: Dataset, arch: ArchConfig): void {
  if (data == null || typeof data.next !== 'function' || !Array.isArray(data.sampleShape)) {
    throw new ConfigError('trainer config: data must be a Dataset ({ sampleShape, next(batchSize, rng) })', 'bad-data');
  }
  if (data.sampleShape.join() !== arch.outputShape.join()) {
    throw new ConfigError(
      `trainer config: the data's samples are [${data.sampleShape}], the ${arch.kind} generator makes [${arch.outputShape}]`,
      'data-mismatch',
    );
  }
  if (arch.labels != null && data.labelled?.classes !== arch.labels) {
    const has = data.labelled == null ? 'has no labels' : `has ${data.labelled.classes} classes`;
    throw new ConfigError(
      `trainer config: the architecture is conditional on ${arch.labels} labels, the data ${has}`,
      'data-mismatch',
    );
  }
}

function checkBatch(batch: tf.Tensor, batchSize: number, arch: ArchConfig): void {
  const want = [batchSize, ...arch.outputShape];
  if (batch.shape.join() !== want.join())
    throw new ConfigError(`data.next returned a batch of shape [${batch.shape}], expected [${want}]`, 'bad-data');
}

/** tfjs names variables globally ('Variable12'); parameters are known by their record key. */
function variableNames(params: Params): Map<string, string> {
  return new Map(Object.entries(params).map(([name, v]) => [v.name, name]));
}

function byParamName(grads: tf.NamedTensorMap, names: Map<string, string>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [variableName, g] of Object.entries(grads)) if (g != null) out[names.get(variableName)!] = g;
  return out;
}

function globalNorm(grads: tf.NamedTensorMap): tf.Scalar {
  const squares = Object.values(grads)
    .filter((g) => g != null)
    .map((g) => tf.sum(tf.square(g)));
  return tf.sqrt(squares.length === 1 ? squares[0] : tf.addN(squares)) as tf.Scalar;
}

/** A macrotask boundary (a MessageChannel round trip: not clamped like nested timers). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
