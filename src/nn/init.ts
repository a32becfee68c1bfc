/**
 * Seeded weight initialisation. He normal (std sqrt(2 / fanIn)) for layers followed by ReLU or
 * LeakyReLU, Glorot uniform for the last, linear or squashing, layer; biases start at zero.
 * Seeds go to tfjs's seeded random ops, which run in JS: the same seed gives the same weights
 * on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../train/rng';
import type { Params } from './params';

export type Init = 'he' | 'glorot';

/** Builds a parameter record in a fixed order, drawing one seed per weight from `rng`. */
export class ParamBuilder {
  readonly params: Params = {};
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** A weight of `shape` with the given fans; `init` picks the scale. */
  weight(name: string, shape: number[], fanIn: number, fanOut: number, init: Init): void {
    const seed = this.rng.seed();
    this.add(
      name,
      tf.tidy(() =>
        init === 'he'
          ? tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed)
          : tf.randomUniform(shape, -Math.sqrt(6 / (fanIn + fanOut)), Math.sqrt(6 / (fanIn + fanOut)), 'float32', seed),
      ),
    );
  }

  constant(name: string, shape: number[], value: number): void {
    this.add(name, tf.fill(shape, value, 'float32'));
  }

  private add(name: string, value: tf.Tensor): void {
    if (name in this.params) throw new Error(`parameter '${name}' is defined twice`);
    this.params[name] = tf.variable(value, true);
    value.dispose();
  }
}
