/** createGenerator / createCritic: rebuild a network from its architecture config and a seed. */
import * as tf from '@tensorflow/tfjs-core';
import { ParamBuilder } from '../nn/init';
import { defineProjection, dense, oneHotLabels, projection } from '../nn/layers';
import type { ParamTensors } from '../nn/params';
import { validateArch, type ArchConfig } from './config';
import { dcganCriticFeatures, defineDcganCritic, dcganGenerator, defineDcganGenerator } from './dcgan';
import { mixtureInput } from './latent_mixture';
import { mlpCriticFeatures, defineMlpCritic, mlpGenerator, defineMlpGenerator } from './mlp';
import { checkInput, checkLabels, type Network } from './network';

/** The conditional critic's class embedding: 'projection/kernel' [labels, features]. */
export const PROJECTION = 'projection';

/**
 * A conditional generator reads its one-hot label concatenated after the latent (after the
 * latent mixture's transform, when it has one). Concatenation, not a learned embedding mixed
 * into the latent: the first dense layer's rows for the one-hot inputs are a learned per-class
 * embedding already (added to its pre-activation), and the latent stays untouched, so the
 * mixture's argmax, centres, walks, truncation and allowed components mean what they did.
 */
export function createGenerator(config: ArchConfig, seed: number): Network {
  const c = validateArch(config);
  const components = c.latentComponents ?? 0;
  const layers = generatorLayers(c);
  const b = new ParamBuilder(seed);
  defineNetwork(c, 'generator', b);
  const params = b.params;
  const what = `the ${c.kind} generator`;
  const apply = (p: ParamTensors, z: tf.Tensor, labels?: tf.Tensor1D) => {
    checkInput(z, [c.latentDim], what);
    checkLabels(labels, z, c.labels, what);
    const latent = components === 0 ? z : mixtureInput(z as tf.Tensor2D, components, c.latentComponentsAllowed, c.latentAnchors);
    const input = c.labels == null ? latent : tf.concat([latent, oneHotLabels(labels!, c.labels)], 1);
    return layers.kind === 'mlp' ? mlpGenerator(layers, p, input) : dcganGenerator(layers, p, input);
  };
  return { config: c, role: 'generator', params, apply };
}

/**
 * The critic: a dense 'output' head on its features h, plus for a conditional pair the
 * projection <embed(y), h> (Miyato and Koyama 2018). The label is a constant of the score, so
 * the gradient penalty, taken with respect to the image, holds it fixed.
 */
export function createCritic(config: ArchConfig, seed: number): Network {
  const c = validateArch(config);
  const b = new ParamBuilder(seed);
  defineNetwork(c, 'critic', b);
  const params = b.params;
  const what = `the ${c.kind} critic`;
  const apply = (p: ParamTensors, x: tf.Tensor, labels?: tf.Tensor1D) => {
    checkInput(x, c.outputShape, what);
    checkLabels(labels, x, c.labels, what);
    const h = c.kind === 'mlp' ? mlpCriticFeatures(c, p, x) : dcganCriticFeatures(c, p, x);
    const score = dense(p, 'output', h);
    return c.labels == null ? score : tf.add(score, projection(p, PROJECTION, h, oneHotLabels(labels!, c.labels)));
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
  if (role === 'critic') {
    if (c.kind === 'mlp') defineMlpCritic(c, b);
    else defineDcganCritic(c, b);
    // As wide as the features the head reads, whatever the critic's body makes of its input.
    if (c.labels != null) defineProjection(b, PROJECTION, c.labels, b.shapes['output/kernel'][0], c.kind === 'mlp' ? 'glorot' : 'torch');
    return;
  }
  const layers = generatorLayers(c);
  return layers.kind === 'mlp' ? defineMlpGenerator(layers, b) : defineDcganGenerator(layers, b);
}

/**
 * The input the generator's layers read: with a latent mixture latentDim - K values (the
 * component's noise), then a one-hot label of `labels` values when conditional.
 */
function generatorLayers(c: ArchConfig): ArchConfig {
  return { ...c, latentDim: c.latentDim - (c.latentComponents ?? 0) + (c.labels ?? 0) };
}
