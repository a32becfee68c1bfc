/** createGenerator / createCritic: rebuild a network from its architecture config and a seed. */
import * as tf from '@tensorflow/tfjs-core';
import { validateArch, type ArchConfig } from './config';
import { dcganCritic, defineDcganCritic, dcganGenerator, defineDcganGenerator } from './dcgan';
import { mlpCritic, defineMlpCritic, mlpGenerator, defineMlpGenerator } from './mlp';
import { mixtureInput } from './latent_mixture';
import { checkInput, type Network } from './network';
import { ParamBuilder } from '../nn/init';
import type { ParamTensors } from '../nn/params';

export function createGenerator(config: ArchConfig, seed: number): Network {
  const c = validateArch(config);
  const components = c.latentComponents ?? 0;
  const layers = generatorLayers(c);
  const b = new ParamBuilder(seed);
  defineNetwork(c, 'generator', b);
  const params = b.params;
  const apply = (p: ParamTensors, z: tf.Tensor) => {
    checkInput(z, [c.latentDim], `the ${c.kind} generator`);
    const input = components === 0 ? z : mixtureInput(z as tf.Tensor2D, components, c.latentComponentsAllowed, c.latentAnchors);
    return layers.kind === 'mlp' ? mlpGenerator(layers, p, input) : dcganGenerator(layers, p, input);
  };
  return { config: c, role: 'generator', params, apply };
}

export function createCritic(config: ArchConfig, seed: number): Network {
  const c = validateArch(config);
  const b = new ParamBuilder(seed);
  defineNetwork(c, 'critic', b);
  const params = b.params;
  const apply = (p: ParamTensors, x: tf.Tensor) => {
    checkInput(x, c.outputShape, `the ${c.kind} critic`);
    return c.kind === 'mlp' ? mlpCritic(c, p, x) : dcganCritic(c, p, x);
  };
  return { config: c, role: 'critic', params, apply };
}

/** The parameter shapes of a network of `config`, by name, with no tensor made: what a model file is checked against. */
export function paramShapes(config: ArchConfig, role: 'generator' | 'critic'): Record<string, number[]> {
  const b = new ParamBuilder(0, false);
  defineNetwork(validateArch(config), role, b);
  return b.shapes;
}

function defineNetwork(c: ArchConfig, role: 'generator' | 'critic', b: ParamBuilder): void {
  if (role === 'critic') return c.kind === 'mlp' ? defineMlpCritic(c, b) : defineDcganCritic(c, b);
  const layers = generatorLayers(c);
  return layers.kind === 'mlp' ? defineMlpGenerator(layers, b) : defineDcganGenerator(layers, b);
}

/** With a latent mixture the generator's layers read latentDim - K values: the component's noise. */
function generatorLayers(c: ArchConfig): ArchConfig {
  return { ...c, latentDim: c.latentDim - (c.latentComponents ?? 0) };
}
