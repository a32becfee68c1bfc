/** createGenerator / createCritic: rebuild a network from its architecture config and a seed. */
import * as tf from '@tensorflow/tfjs-core';
import { validateArch, type ArchConfig } from './config';
import { dcganCritic, dcganCriticParams, dcganGenerator, dcganGeneratorParams } from './dcgan';
import { mlpCritic, mlpCriticParams, mlpGenerator, mlpGeneratorParams } from './mlp';
import { mixtureInput } from './latent_mixture';
import { checkInput, type Network } from './network';
import type { ParamTensors } from '../nn/params';

export function createGenerator(config: ArchConfig, seed: number): Network {
  const c = validateArch(config);
  // With a latent mixture the layers read latentDim - K values: the component's noise.
  const components = c.latentComponents ?? 0;
  const layers = { ...c, latentDim: c.latentDim - components };
  const params = layers.kind === 'mlp' ? mlpGeneratorParams(layers, seed) : dcganGeneratorParams(layers, seed);
  const apply = (p: ParamTensors, z: tf.Tensor) => {
    checkInput(z, [c.latentDim], `the ${c.kind} generator`);
    const input = components === 0 ? z : mixtureInput(z as tf.Tensor2D, components, c.latentComponentsAllowed);
    return layers.kind === 'mlp' ? mlpGenerator(layers, p, input) : dcganGenerator(layers, p, input);
  };
  return { config: c, role: 'generator', params, apply };
}

export function createCritic(config: ArchConfig, seed: number): Network {
  const c = validateArch(config);
  const params = c.kind === 'mlp' ? mlpCriticParams(c, seed) : dcganCriticParams(c, seed);
  const apply = (p: ParamTensors, x: tf.Tensor) => {
    checkInput(x, c.outputShape, `the ${c.kind} critic`);
    return c.kind === 'mlp' ? mlpCritic(c, p, x) : dcganCritic(c, p, x);
  };
  return { config: c, role: 'critic', params, apply };
}
