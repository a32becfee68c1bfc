/**
 * Adam and RMSProp over a parameter record, with their slots as named variables so that a
 * checkpoint can save and restore them exactly (tf.train's optimisers hide theirs).
 * Adam follows TensorFlow's AdamOptimizer (the WGAN-GP authors' code): lr_t = lr
 * sqrt(1 - beta2^t) / (1 - beta1^t), p -= lr_t m / (sqrt(v) + eps).
 * RMSProp follows PyTorch's (the WGAN authors' code): v = a v + (1 - a) g^2,
 * p -= lr g / (sqrt(v) + eps), no momentum.
 */
import * as tf from '@tensorflow/tfjs-core';
import { adamUpdate } from '../backend/adam_update';
import type { TrainSettings } from '../losses/settings';
import { assignParams, readParams, type NamedArrays, type Params } from '../nn/params';
import { ConfigError } from '../utils/errors';

/**
 * The learning rate of generator step `step` (from 0) and of the critic updates before it:
 * constant, or falling linearly to 0 over learningRateDecay's steps.
 */
export function learningRateAt({ learningRate, learningRateDecay: decay }: TrainSettings, step: number): number {
  if (decay === null || step < decay.start) return learningRate;
  return learningRate * Math.max(0, (decay.end - step) / (decay.end - decay.start));
}

export interface OptimizerState {
  kind: TrainSettings['optimizer'];
  /** Updates applied so far (Adam's t). */
  updates: number;
  /** Slots by '<param name>/<slot>': Adam 'm' and 'v', RMSProp 'ms'. */
  slots: NamedArrays;
}

const SLOT_NAMES: Record<TrainSettings['optimizer'], string[]> = { adam: ['m', 'v'], rmsprop: ['ms'] };

export class Optimizer {
  readonly kind: TrainSettings['optimizer'];
  /** Slot variables, zero to start. */
  readonly slots: Params = {};
  updates = 0;

  constructor(
    private readonly params: Params,
    private readonly settings: TrainSettings,
  ) {
    this.kind = settings.optimizer;
    for (const [name, p] of Object.entries(params)) {
      for (const slot of SLOT_NAMES[this.kind])
        this.slots[`${name}/${slot}`] = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
    }
  }

  /**
   * One update from gradients by parameter name. Parameters without a gradient (unused in the
   * loss, e.g. a WGAN-C critic with zero weight) keep their values and slots. `lr` is this
   * update's learning rate (learningRateAt).
   */
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.updates++;
    const { beta1, beta2, rmsDecay, epsilon } = this.settings;
    const t = this.updates;
    const adamStep = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    tf.tidy(() => {
      for (const [name, g] of Object.entries(grads)) {
        const p = this.params[name];
        if (p == null) throw new Error(`optimizer: gradient for unknown parameter '${name}'`);
        if (this.kind === 'adam') {
          const m = this.slots[`${name}/m`];
          const v = this.slots[`${name}/v`];
          const [p1, m1, v1] = adamUpdate(p, m, v, g, { beta1, beta2, step: adamStep, epsilon });
          m.assign(m1);
          v.assign(v1);
          p.assign(p1);
        } else {
          const ms = this.slots[`${name}/ms`];
          ms.assign(tf.add(tf.mul(ms, rmsDecay), tf.mul(tf.square(g), 1 - rmsDecay)));
          p.assign(tf.sub(p, tf.mul(tf.div(g, tf.add(tf.sqrt(ms), epsilon)), lr)));
        }
      }
    });
  }

  async getState(): Promise<OptimizerState> {
    return { kind: this.kind, updates: this.updates, slots: await readParams(this.slots) };
  }

  setState(state: OptimizerState, what: string): void {
    if (state == null || state.kind !== this.kind) {
      throw new ConfigError(
        `${what}: optimizer kind '${state?.kind}' does not match the settings' '${this.kind}'`,
        'bad-state',
      );
    }
    if (!Number.isInteger(state.updates) || state.updates < 0)
      throw new ConfigError(`${what}: updates must be an integer >= 0, got ${state.updates}`, 'bad-state');
    assignParams(this.slots, state.slots, `${what} slots`);
    this.updates = state.updates;
  }

  dispose(): void {
    for (const v of Object.values(this.slots)) v.dispose();
  }
}
