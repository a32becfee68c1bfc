import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '../../src/index';
import { builtinConv2DBackpropInputWasm, conv2DBackpropInputWasm } from '../../src/backend/kernels/Conv2DBackpropInput_wasm';
import { relativeError, runKernelOn, seededValues } from './helpers';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  name: string;
  /** The forward conv's input, i.e. dx's shape. */
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const CASES: Case[] = [
  { name: 'MNIST generator 3 (14x14x8 -> 28x28x1, 5x5, s2, same)', x: [3, 28, 28, 1], filter: [5, 5, 1, 8], strides: 2, pad: 'same' },
  { name: 'MNIST generator 2 (7x7x16 -> 14x14x8)', x: [2, 14, 14, 8], filter: [5, 5, 8, 16], strides: 2, pad: 'same' },
  { name: 'MNIST generator 1 (4x4x32 -> 8x8x16)', x: [2, 8, 8, 16], filter: [5, 5, 16, 32], strides: 2, pad: 'same' },
  { name: 'odd output 7x7 (crop), s2, same', x: [2, 7, 7, 16], filter: [5, 5, 16, 32], strides: 2, pad: 'same' },
  { name: 'stride 1, same, even 4x4 kernel', x: [2, 9, 8, 3], filter: [4, 4, 3, 5], strides: 1, pad: 'same' },
  { name: 'stride 1, valid', x: [2, 9, 8, 3], filter: [3, 2, 3, 5], strides: 1, pad: 'valid' },
  { name: 'valid, strides [2, 1], unread rows', x: [2, 10, 11, 3], filter: [3, 3, 3, 4], strides: [2, 1], pad: 'valid' },
  { name: 'valid, stride 2, odd sizes', x: [3, 9, 13, 2], filter: [3, 5, 2, 3], strides: 2, pad: 'valid' },
  { name: 'stride 3, 4x4 kernel, same', x: [2, 11, 10, 2], filter: [4, 4, 2, 3], strides: 3, pad: 'same' },
  { name: 'explicit padding', x: [2, 6, 7, 3], filter: [3, 2, 3, 4], strides: [1, 2], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { name: 'numeric pad, ceil rounding', x: [2, 8, 8, 2], filter: [3, 3, 2, 3], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  // Eight or more input channels: one conv per phase instead of one combined conv.
  { name: 'per-phase convs: valid, strides [2, 1]', x: [2, 10, 11, 8], filter: [3, 3, 8, 4], strides: [2, 1], pad: 'valid' },
  { name: 'per-phase convs: stride 3, 4x4 kernel, same, crop', x: [2, 11, 10, 9], filter: [4, 4, 9, 3], strides: 3, pad: 'same' },
  { name: 'per-phase convs: explicit padding, stride 2', x: [2, 9, 7, 8], filter: [3, 4, 8, 5], strides: 2, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  { name: 'per-phase convs: stride 1, same', x: [2, 6, 7, 8], filter: [3, 3, 8, 4], strides: 1, pad: 'same' },
  { name: 'kernel smaller than stride: phases without taps', x: [2, 8, 8, 2], filter: [1, 1, 2, 3], strides: 2, pad: 'valid' },
  { name: 'per-phase convs: kernel smaller than stride, phases without taps', x: [2, 8, 8, 8], filter: [1, 1, 8, 3], strides: 2, pad: 'valid' },
  { name: 'per-phase convs: dy rows no phase reads (built-in fallback)', x: [2, 8, 8, 8], filter: [3, 3, 8, 3], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
];

function dyShape(c: Case): number[] {
  return tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode).outShape;
}

describe('fast Conv2DBackpropInput on wasm', () => {
  it('is the registered wasm kernel', () => {
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(conv2DBackpropInputWasm);
  });

  it.each(CASES)('equals the cpu kernel and the built-in wasm kernel: $name', async (c) => {
    const call = {
      kernelName: 'Conv2DBackpropInput',
      inputs: { dy: [dyShape(c), 5], filter: [c.filter, 6] } as Record<string, [number[], number]>,
      attrs: { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode, inputShape: c.x },
    };
    const expected = await runKernelOn('cpu', call);
    const actual = await runKernelOn('wasm', call);
    expect(actual.shape).toEqual(c.x);
    expect(relativeError(actual.values, expected.values)).toBeLessThan(1e-5);

    // The built-in kernel on the same wasm data, called directly.
    await tf.setBackend('wasm');
    const dy = tf.tensor(seededValues(dyShape(c).reduce((a, b) => a * b, 1), 5), dyShape(c));
    const filter = tf.tensor(seededValues(c.filter.reduce((a, b) => a * b, 1), 6), c.filter);
    const info = builtinConv2DBackpropInputWasm({ inputs: { dy, filter }, backend: tf.backend(), attrs: call.attrs as never });
    const builtin = tf.engine().makeTensorFromTensorInfo(info);
    expect(relativeError(actual.values, await builtin.data())).toBeLessThan(1e-5);
    tf.dispose([dy, filter, builtin]);
  });

  it('sends NCHW to the built-in kernel', async () => {
    const call = {
      kernelName: 'Conv2DBackpropInput',
      inputs: { dy: [[2, 4, 5, 5], 5], filter: [[3, 3, 3, 4], 6] } as Record<string, [number[], number]>,
      attrs: { strides: 2, pad: 'same', dataFormat: 'NCHW', inputShape: [2, 3, 9, 10] },
    };
    const expected = await runKernelOn('cpu', call);
    const actual = await runKernelOn('wasm', call);
    expect(relativeError(actual.values, expected.values)).toBeLessThan(1e-5);
  });

  it('names the mismatch when dy does not fit the convolution', async () => {
    const call = {
      kernelName: 'Conv2DBackpropInput',
      inputs: { dy: [[3, 13, 14, 8], 5], filter: [[5, 5, 1, 8], 6] } as Record<string, [number[], number]>,
      attrs: { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [3, 28, 28, 1] },
    };
    await expect(runKernelOn('wasm', call)).rejects.toThrow(/dy has shape \[3,13,14,8\].*gives \[3,14,14,8\]/);
  });
});
