import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/index';
import { relativeError, runKernelOn, type KernelCall } from './helpers';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

interface Case {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const CASES: Case[] = [
  {
    name: 'MNIST critic conv 1 (28x28x1 -> 8, 5x5, s2, same)',
    x: [3, 28, 28, 1],
    filter: [5, 5, 1, 8],
    strides: 2,
    pad: 'same',
  },
  { name: 'MNIST critic conv 2 (14x14x8 -> 16)', x: [2, 14, 14, 8], filter: [5, 5, 8, 16], strides: 2, pad: 'same' },
  {
    name: 'MNIST critic conv 3 (7x7x16 -> 32, odd size)',
    x: [2, 7, 7, 16],
    filter: [5, 5, 16, 32],
    strides: 2,
    pad: 'same',
  },
  { name: 'stride 1, same, even 4x4 kernel', x: [2, 9, 8, 3], filter: [4, 4, 3, 5], strides: 1, pad: 'same' },
  {
    name: 'valid, strides [2, 1], unread rows',
    x: [2, 10, 11, 3],
    filter: [3, 3, 3, 4],
    strides: [2, 1],
    pad: 'valid',
  },
  { name: 'valid, stride 2, odd sizes', x: [3, 9, 13, 2], filter: [3, 5, 2, 3], strides: 2, pad: 'valid' },
  {
    name: 'explicit padding',
    x: [2, 6, 7, 3],
    filter: [3, 2, 3, 4],
    strides: [1, 2],
    pad: [
      [0, 0],
      [1, 2],
      [0, 3],
      [0, 0],
    ],
  },
  {
    name: 'numeric pad, ceil rounding',
    x: [2, 8, 8, 2],
    filter: [3, 3, 2, 3],
    strides: 2,
    pad: 1,
    dimRoundingMode: 'ceil',
  },
  { name: 'NCHW', x: [2, 3, 9, 10], filter: [3, 3, 3, 4], strides: 2, pad: 'same', dataFormat: 'NCHW' },
  // KH*KW*Cin <= Cout / 2: patches of x times dy.
  { name: 'patches: MNIST critic conv 1 at DIM 64', x: [3, 28, 28, 1], filter: [5, 5, 1, 64], strides: 2, pad: 'same' },
  { name: 'patches: valid, stride 1, 2 channels', x: [2, 9, 8, 2], filter: [2, 2, 2, 16], strides: 1, pad: 'valid' },
  {
    name: 'patches: numeric pad, ceil rounding',
    x: [2, 8, 8, 1],
    filter: [3, 3, 1, 20],
    strides: 2,
    pad: 1,
    dimRoundingMode: 'ceil',
  },
  {
    name: 'patches: explicit padding, strides [1, 3]',
    x: [2, 7, 10, 1],
    filter: [3, 2, 1, 12],
    strides: [1, 3],
    pad: [
      [0, 0],
      [2, 0],
      [1, 1],
      [0, 0],
    ],
  },
];

function kernelCall(c: Case): KernelCall {
  const dataFormat = c.dataFormat ?? 'NHWC';
  const info = tf.backend_util.computeConv2DInfo(
    c.x,
    c.filter,
    c.strides,
    1,
    c.pad,
    c.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  return {
    kernelName: 'Conv2DBackpropFilter',
    inputs: { x: [c.x, 11], dy: [info.outShape, 23] },
    attrs: { strides: c.strides, pad: c.pad, dataFormat, dimRoundingMode: c.dimRoundingMode, filterShape: c.filter },
  };
}

describe('Conv2DBackpropFilter on wasm', () => {
  it.each(CASES)('equals the cpu kernel: $name', async (c) => {
    const call = kernelCall(c);
    const expected = await runKernelOn('cpu', call);
    const actual = await runKernelOn('wasm', call);
    expect(actual.shape).toEqual(c.filter);
    expect(relativeError(actual.values, expected.values)).toBeLessThan(1e-4);
  });

  it('names the mismatch when dy does not fit the convolution', async () => {
    const call = kernelCall(CASES[0]);
    call.inputs.dy = [[3, 13, 14, 8], 23];
    await expect(runKernelOn('wasm', call)).rejects.toThrow(/dy has shape \[3,13,14,8\].*gives \[3,14,14,8\]/);
  });

  it('lets tf.grad take a conv filter gradient on wasm', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    const upstream = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 3);
    const loss = (filter: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, filter as tf.Tensor4D, 2, 'same'), upstream));
    const before = tf.memory().numTensors;
    const dw = tf.grad(loss)(w);
    const onWasm = await dw.data();
    dw.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
    const dwCpu = tf.grad(loss)(w);
    expect(relativeError(onWasm, await dwCpu.data())).toBeLessThan(1e-4);
    tf.dispose([dwCpu, x, w, upstream]);
  });
});
