/**
 * Both composed wasm conv kernels against the cpu backend on many small seeded random
 * convolutions: maps down to 1x1, kernels larger and smaller than the stride, unequal strides,
 * 'same', 'valid' and explicit padding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/index';
import { relativeError, runKernelOn, seededValues, type KernelCall } from './helpers';

const TRIALS = 120;
const SEED = 2024;

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface RandomConv {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
  dy: number[];
}

function randomConvs(): RandomConv[] {
  const uniform = seededValues(TRIALS * 16, SEED);
  let next = 0;
  const int = (low: number, high: number) => low + Math.floor(((uniform[next++] + 1) / 2) * (high - low + 1));
  const convs: RandomConv[] = [];
  while (convs.length < TRIALS) {
    const x: RandomConv['x'] = [int(1, 3), int(1, 9), int(1, 9), int(1, 10)];
    const filter: RandomConv['filter'] = [int(1, 5), int(1, 5), x[3], int(1, 6)];
    const strides: RandomConv['strides'] = [int(1, 3), int(1, 3)];
    const padKind = int(0, 2);
    const pad: Pad =
      padKind === 0
        ? 'same'
        : padKind === 1
          ? 'valid'
          : [
              [0, 0],
              [int(0, 2), int(0, 2)],
              [int(0, 2), int(0, 2)],
              [0, 0],
            ];
    const info = tf.backend_util.computeConv2DInfo(x, filter, strides, 1, pad);
    if (info.outHeight > 0 && info.outWidth > 0) convs.push({ x, filter, strides, pad, dy: info.outShape });
  }
  return convs;
}

/** The largest relative error over the trials (NaN if any result is NaN), and where it was. */
async function worstTrial(call: (conv: RandomConv) => KernelCall): Promise<{ error: number; where: string }> {
  let worst = { error: 0, where: 'nowhere' };
  for (const conv of randomConvs()) {
    const expected = await runKernelOn('cpu', call(conv));
    const actual = await runKernelOn('wasm', call(conv));
    const error = relativeError(actual.values, expected.values);
    if (!(error <= worst.error)) worst = { error, where: JSON.stringify(conv) };
  }
  return worst;
}

describe('composed wasm conv kernels on random small convolutions', () => {
  it(`Conv2DBackpropInput equals the cpu kernel (${TRIALS} convolutions)`, async () => {
    const worst = await worstTrial(({ x, filter, strides, pad, dy }) => ({
      kernelName: 'Conv2DBackpropInput',
      inputs: { dy: [dy, 5], filter: [filter, 6] },
      attrs: { strides, pad, dataFormat: 'NHWC', inputShape: x },
    }));
    expect(worst.error, worst.where).toBeLessThan(1e-5);
  });

  it(`Conv2DBackpropFilter equals the cpu kernel (${TRIALS} convolutions)`, async () => {
    const worst = await worstTrial(({ x, filter, strides, pad, dy }) => ({
      kernelName: 'Conv2DBackpropFilter',
      inputs: { x: [x, 5], dy: [dy, 6] },
      attrs: { strides, pad, dataFormat: 'NHWC', filterShape: filter },
    }));
    expect(worst.error, worst.where).toBeLessThan(1e-5);
  });
});
