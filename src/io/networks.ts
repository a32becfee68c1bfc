/** Model contents <-> networks: what a trainer exports, and the generator a model file rebuilds. */
import { createCritic, createGenerator } from '../models';
import { validateArch } from '../models/config';
import type { Network } from '../models/network';
import { assignParams, disposeParams, type ParamTensors } from '../nn/params';
import type { Trainer } from '../train/trainer';
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

/** The generator a model describes, its variables holding the model's weights. */
export function generatorFromModel(model: ModelContents, source: string): Network {
  let arch;
  try {
    arch = validateArch(model.architecture);
  } catch (e) {
    throw new ModelFormatError(`${source}: bad architecture: ${(e as Error).message}`, 'not-a-model', source);
  }
  if (model.critic != null) {
    const critic = createCritic(arch, 0);
    try {
      checkWeights('critic', shapesOf(critic.params), model.critic, source);
    } finally {
      disposeParams(critic.params);
    }
  }
  const generator = createGenerator(arch, 0);
  try {
    checkWeights('generator', shapesOf(generator.params), model.generator, source);
    assignParams(generator.params, model.generator, `${source}: generator`);
  } catch (e) {
    disposeParams(generator.params);
    throw e;
  }
  return generator;
}

function shapesOf(params: ParamTensors): Record<string, number[]> {
  return Object.fromEntries(Object.entries(params).map(([name, t]) => [name, [...t.shape]]));
}
