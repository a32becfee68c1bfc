/**
 * Acceptance (issue 2): a conv critic takes WGAN-GP steps on WASM, and its weight gradients
 * (through the double backprop of the penalty) match the CPU backend's for the same inputs and
 * weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/index';
import { gradientPenalty } from '../../src/losses/penalty';
import { relativeError, seededValues } from './helpers';

const BATCH = 4;
const IMAGE: [number, number, number] = [28, 28, 1];
const CHANNELS = [8, 16, 32];
const KERNEL = 5;
const STRIDE = 2;
const LEAK = 0.2;
const PENALTY_WEIGHT = 10;
const PENALTY_SEED = 7;
const STEPS = 3;

type Weights = Record<string, tf.Variable>;

/** The same seeded weights on whichever backend is active, scaled by 1/sqrt(fan-in). */
function criticWeights(): Weights {
  const shapes: Record<string, number[]> = {};
  let inChannels = IMAGE[2];
  CHANNELS.forEach((outChannels, i) => {
    shapes[`conv${i}`] = [KERNEL, KERNEL, inChannels, outChannels];
    shapes[`bias${i}`] = [outChannels];
    inChannels = outChannels;
  });
  shapes.dense = [4 * 4 * inChannels, 1];
  shapes.denseBias = [1];
  const weights: Weights = {};
  Object.entries(shapes).forEach(([name, shape], i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length === 1 ? 1 : size / shape[shape.length - 1];
    const values = seededValues(size, 100 + i).map((v) => v / Math.sqrt(fanIn));
    weights[name] = tf.variable(tf.tensor(values, shape), true, name);
  });
  return weights;
}

function critic(weights: Weights, x: tf.Tensor): tf.Tensor {
  let h = x as tf.Tensor4D;
  CHANNELS.forEach((_, i) => {
    h = tf.leakyRelu(
      tf.add(tf.conv2d(h, weights[`conv${i}`] as tf.Tensor4D, STRIDE, 'same'), weights[`bias${i}`]),
      LEAK,
    ) as tf.Tensor4D;
  });
  return tf.add(tf.matMul(tf.reshape(h, [h.shape[0], -1]), weights.dense), weights.denseBias);
}

interface Run {
  losses: number[];
  firstGrads: Record<string, Float32Array>;
  tensorsPerStep: number[];
}

async function criticSteps(backendName: string): Promise<Run> {
  await tf.setBackend(backendName);
  const weights = criticWeights();
  const real = tf.tensor4d(seededValues(BATCH * 28 * 28, 1), [BATCH, ...IMAGE]);
  const fake = tf.tensor4d(seededValues(BATCH * 28 * 28, 2), [BATCH, ...IMAGE]);
  const optimizer = tf.train.adam(1e-4, 0.5, 0.9);
  const D = (x: tf.Tensor) => critic(weights, x);
  const loss = () =>
    tf.add(
      tf.sub(tf.mean(D(fake)), tf.mean(D(real))),
      tf.mul(PENALTY_WEIGHT, gradientPenalty(D, real, fake, PENALTY_SEED)),
    ) as tf.Scalar;
  const run: Run = { losses: [], firstGrads: {}, tensorsPerStep: [] };
  for (let step = 0; step < STEPS; step++) {
    const { value, grads } = tf.variableGrads(loss);
    run.losses.push((await value.data())[0]);
    if (step === 0) {
      for (const [name, grad] of Object.entries(grads)) run.firstGrads[name] = (await grad.data()) as Float32Array;
    }
    optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    tf.dispose([value, ...Object.values(grads)]);
    run.tensorsPerStep.push(tf.memory().numTensors);
  }
  optimizer.dispose();
  tf.dispose([real, fake, ...Object.values(weights)]);
  return run;
}

describe('WGAN-GP conv critic on wasm', () => {
  it('takes Adam steps whose weight gradients match the cpu backend', async () => {
    const onCpu = await criticSteps('cpu');
    const onWasm = await criticSteps('wasm');

    expect(onWasm.losses.every(Number.isFinite)).toBe(true);
    expect(onWasm.losses[0]).toBeCloseTo(onCpu.losses[0], 4);
    // The steps move the critic: its loss changes from step to step.
    expect(onWasm.losses[STEPS - 1]).not.toBe(onWasm.losses[0]);
    expect(Object.keys(onWasm.firstGrads).sort()).toEqual(Object.keys(onCpu.firstGrads).sort());
    // The output bias cancels in E[D(fake)] - E[D(real)] and the penalty does not see it.
    const { denseBias, ...rest } = onWasm.firstGrads;
    expect(Math.abs(denseBias[0])).toBeLessThan(1e-6);
    for (const [name, grad] of Object.entries(rest)) {
      expect(
        grad.some((g) => g !== 0),
        `${name} gradient is all zeros`,
      ).toBe(true);
      expect(relativeError(grad, onCpu.firstGrads[name]), name).toBeLessThan(1e-3);
    }
    // After the optimizer made its slots at step 1, a step leaves no tensor behind.
    expect(new Set(onWasm.tensorsPerStep.slice(1)).size).toBe(1);
  });
});
