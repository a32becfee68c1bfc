/** Model contents <-> networks: what a trainer exports, and the generator a model file rebuilds. */
import { createGenerator, paramShapes, PROJECTION } from '../models';
import { validateArch, type ArchConfig } from '../models/config';
import { mixtureArchOf, mixtureKernel } from '../models/labels_as_components';
import type { Network } from '../models/network';
import { assignParams, disposeParams, type ParamTensors } from '../nn/params';
import type { TrainerState } from '../train/state';
import type { Trainer } from '../train/trainer';
import { ConfigError } from '../utils/errors';
import { checkWeights, type ModelContents } from './codec';
import { ModelFormatError, type Provenance } from './format';

/**
 * The trainer's generator (its EMA when it keeps one) and critic, ready to encode. Between steps
 * only (see Trainer.readWeights), so all of it is one step's.
 */
export async function modelFromTrainer(trainer: Trainer, provenance: Provenance): Promise<ModelContents> {
  const { step, generator, critic } = await trainer.readWeights();
  const { latentDim, outputShape, outputRange } = trainer.arch;
  return {
    architecture: { ...trainer.arch },
    latentDim,
    outputShape,
    outputRange,
    provenance: { loss: trainer.loss, seed: trainer.seed, steps: step, ...provenance },
    generator,
    critic,
  };
}

/**
 * Starts a new run from a model's networks instead of random ones: going on from a shipped
 * model whose checkpoint is gone, or fine-tuning it on other data. The trainer takes the model's
 * generator (as its weights and its average) and critic, and counts on from the model's steps;
 * its optimizers start fresh, as the model file keeps no optimizer state. Returns the state it
 * set (it holds the model's arrays, not copies).
 */
export async function startFromModel(trainer: Trainer, model: ModelContents, source: string): Promise<TrainerState> {
  // Flat configs: sorted keys make the comparison blind to the order a model.json lists them in.
  const described = (arch: ArchConfig) => JSON.stringify(arch, Object.keys(arch).sort());
  const arch = described(archOf(model, source));
  if (arch !== described(trainer.arch)) {
    throw new ModelFormatError(
      `${source}: its networks are ${arch}; this run trains ${described(trainer.arch)}`,
      'shape',
      source,
    );
  }
  if (trainer.loss === 'wgan-c')
    throw new ConfigError(
      `${source}: a wgan-c run trains a mixture of critics, which no model critic can start`,
      'bad-settings',
    );
  if (model.critic == null)
    throw new ModelFormatError(
      `${source}: the model has no critic to go on training against`,
      'missing-weight',
      source,
    );
  const steps = model.provenance.steps ?? 0;
  if (!Number.isInteger(steps) || steps < 0)
    throw new ModelFormatError(
      `${source}: provenance.steps must be an integer >= 0, got ${JSON.stringify(steps)}`,
      'not-a-model',
      source,
    );
  // Named and coded as a model-file fault, not as setState's 'trainer state' one.
  checkWeights('generator', shapesOf(trainer.generator.params), model.generator, source);
  checkWeights('critic', shapesOf(trainer.critic.params), model.critic, source);
  const fresh = await trainer.getState();
  const start = {
    ...fresh,
    step: steps,
    generator: model.generator,
    critic: model.critic,
    ema: fresh.ema && model.generator,
  };
  trainer.setState(start);
  return start;
}

/** The generator a model describes, its variables holding the model's weights. */
export function generatorFromModel(model: ModelContents, source: string): Network {
  const generator = createGenerator(archOf(model, source), 0);
  try {
    assignParams(generator.params, model.generator, `${source}: generator`);
  } catch (e) {
    disposeParams(generator.params);
    throw e;
  }
  return generator;
}

/**
 * The architecture a model describes, checked, with its weights' shapes checked against it
 * before any network is made: an architecture far wider than its weights (a hostile or broken
 * model.json) is refused instead of allocated. A bad one is a ModelFormatError naming `source`.
 */
export function archOf(model: ModelContents, source: string): ArchConfig {
  let arch: ArchConfig;
  try {
    arch = validateArch(model.architecture);
  } catch (e) {
    throw new ModelFormatError(`${source}: bad architecture: ${(e as Error).message}`, 'not-a-model', source);
  }
  checkWeights('generator', paramShapes(arch, 'generator'), model.generator, source);
  if (model.critic != null) checkWeights('critic', paramShapes(arch, 'critic'), model.critic, source);
  return arch;
}

/**
 * A class-conditional model's names for its labels (provenance.labelNames, e.g. the emoji
 * categories), what an app shows in a picker; undefined where the model names none or has no
 * labels. A list that does not give each label one non-empty name is a ModelFormatError.
 */
export function labelNamesOf(model: ModelContents, source: string): string[] | undefined {
  const names = model.provenance.labelNames;
  const labels = model.architecture.labels;
  if (names == null || labels == null) return undefined;
  if (!Array.isArray(names) || names.length !== labels || !names.every((n) => typeof n === 'string' && n !== ''))
    throw new ModelFormatError(
      `${source}: provenance.labelNames must name each of the ${String(labels)} labels with a non-empty string, got ${JSON.stringify(names).slice(0, 200)}`,
      'not-a-model',
      source,
    );
  return [...(names as string[])];
}

function shapesOf(params: ParamTensors): Record<string, number[]> {
  return Object.fromEntries(Object.entries(params).map(([name, t]) => [name, [...t.shape]]));
}

/** The generator's first (dense) layer, whose kernel reads the latent and the one-hot label. */
const INPUT_KERNEL = 'input/kernel';

/**
 * A class-conditional model read as an unconditional one whose latent mixture has a component
 * per label (component k draws label k; models/labels_as_components.ts): the generator's input
 * kernel rewritten in closed form, the critic without its label projection (its unconditional
 * head). What fineTune tunes a conditional model as, and how models/mnist is made from
 * models/mnist-conditional.
 */
export function labelsAsComponents(model: ModelContents, source: string): ModelContents {
  const arch = archOf(model, source);
  if (arch.labels == null)
    throw new ConfigError(`${source} is not class-conditional: it has no labels to read as components`, 'bad-arch');
  const kernel = model.generator[INPUT_KERNEL];
  const mixture = mixtureArchOf(arch);
  const units = kernel.shape[1];
  const critic =
    model.critic == null
      ? undefined
      : Object.fromEntries(Object.entries(model.critic).filter(([name]) => name !== `${PROJECTION}/kernel`));
  return {
    ...model,
    architecture: mixture as unknown as Record<string, unknown>,
    generator: {
      ...model.generator,
      [INPUT_KERNEL]: {
        shape: [mixture.latentDim - arch.labels, units],
        values: mixtureKernel(arch, { values: kernel.values, units }),
      },
    },
    critic,
    provenance: { ...model.provenance, labelsAsComponents: arch.labels },
  };
}
