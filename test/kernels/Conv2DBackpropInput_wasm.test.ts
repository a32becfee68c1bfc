import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/index';
import {
  builtinConv2DBackpropInputWasm,
  conv2DBackpropInputWasm,
} from '../../src/backend/kernels/Conv2DBackpropInput_wasm';
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
  {
    name: 'MNIST generator 3 (14x14x8 -> 28x28x1, 5x5, s2, same)',
    x: [3, 28, 28, 1],
    filter: [5, 5, 1, 8],
    strides: 2,
    pad: 'same',
  },
  { name: 'MNIST generator 2 (7x7x16 -> 14x14x8)', x: [2, 14, 14, 8], filter: [5, 5, 8, 16], strides: 2, pad: 'same' },
  { name: 'MNIST generator 1 (4x4x32 -> 8x8x16)', x: [2, 8, 8, 16], filter: [5, 5, 16, 32], strides: 2, pad: 'same' },
  { name: 'odd output 7x7 (crop), s2, same', x: [2, 7, 7, 16], filter: [5, 5, 16, 32], strides: 2, pad: 'same' },
  { name: 'stride 1, same, even 4x4 kernel', x: [2, 9, 8, 3], filter: [4, 4, 3, 5], strides: 1, pad: 'same' },
  { name: 'stride 1, valid', x: [2, 9, 8, 3], filter: [3, 2, 3, 5], strides: 1, pad: 'valid' },
  {
    name: 'valid, strides [2, 1], unread rows',
    x: [2, 10, 11, 3],
    filter: [3, 3, 3, 4],
    strides: [2, 1],
    pad: 'valid',
  },
  { name: 'valid, stride 2, odd sizes', x: [3, 9, 13, 2], filter: [3, 5, 2, 3], strides: 2, pad: 'valid' },
  { name: 'stride 3, 4x4 kernel, same', x: [2, 11, 10, 2], filter: [4, 4, 2, 3], strides: 3, pad: 'same' },
  {
    name: 'explicit padding',
    x: [2, 6, 7, 3],
    filter: [3, 2, 3, 4],
    strides: [1, 2],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
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
  // Eight or more input channels: one conv per phase instead of one combined conv.
  {
    name: 'per-phase convs: valid, strides [2, 1]',
    x: [2, 10, 11, 8],
    filter: [3, 3, 8, 4],
    strides: [2, 1],
    pad: 'valid',
  },
  {
    name: 'per-phase convs: stride 3, 4x4 kernel, same, crop',
    x: [2, 11, 10, 9],
    filter: [4, 4, 9, 3],
    strides: 3,
    pad: 'same',
  },
  {
    name: 'per-phase convs: explicit padding, stride 2',
    x: [2, 9, 7, 8],
    filter: [3, 4, 8, 5],
    strides: 2,
    pad: [
      [0, 0],
      [2, 1],
      [0, 2],
      [0, 0],
    ],
  },
  { name: 'per-phase convs: stride 1, same', x: [2, 6, 7, 8], filter: [3, 3, 8, 4], strides: 1, pad: 'same' },
  // Rows and columns past the crop are left out of the phase convs.
  {
    name: "per-phase convs: dcgan28's first layer, 7x7 of 8x8 as explicit padding",
    x: [3, 7, 7, 16],
    filter: [5, 5, 16, 32],
    strides: 2,
    pad: [
      [0, 0],
      [1, 3],
      [1, 3],
      [0, 0],
    ],
  },
  {
    name: 'per-phase convs: an input narrower than the stride (phases with no rows inside the crop)',
    x: [2, 1, 3, 8],
    filter: [3, 3, 8, 4],
    strides: 2,
    pad: 'same',
  },
  {
    name: 'per-phase convs: crop on rows only, stride 3',
    x: [2, 10, 9, 8],
    filter: [5, 4, 8, 6],
    strides: 3,
    pad: 'same',
  },
  {
    name: 'kernel smaller than stride: phases without taps',
    x: [2, 8, 8, 2],
    filter: [1, 1, 2, 3],
    strides: 2,
    pad: 'valid',
  },
  {
    name: 'per-phase convs: kernel smaller than stride, phases without taps',
    x: [2, 8, 8, 8],
    filter: [1, 1, 8, 3],
    strides: 2,
    pad: 'valid',
  },
  {
    name: 'per-phase convs: dy rows no phase reads (built-in fallback)',
    x: [2, 8, 8, 8],
    filter: [3, 3, 8, 3],
    strides: 2,
    pad: 1,
    dimRoundingMode: 'ceil',
  },
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
      attrs: {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC',
        dimRoundingMode: c.dimRoundingMode,
        inputShape: c.x,
      },
    };
    const expected = await runKernelOn('cpu', call);
    const actual = await runKernelOn('wasm', call);
    expect(actual.shape).toEqual(c.x);
    expect(relativeError(actual.values, expected.values)).toBeLessThan(1e-5);

    // The built-in kernel on the same wasm data, called directly.
    await tf.setBackend('wasm');
    const dy = tf.tensor(
      seededValues(
        dyShape(c).reduce((a, b) => a * b, 1),
        5,
      ),
      dyShape(c),
    );
    const filter = tf.tensor(
      seededValues(
        c.filter.reduce((a, b) => a * b, 1),
        6,
      ),
      c.filter,
    );
    const info = builtinConv2DBackpropInputWasm({
      inputs: { dy, filter },
      backend: tf.backend(),
      attrs: call.attrs as never,
    });
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

  describe('phase filters kept per filter tensor', () => {
    type Shape4 = [number, number, number, number];
    const shapes: Record<'dy' | 'filter' | 'x', Shape4> = { dy: [2, 4, 4, 16], filter: [5, 5, 8, 16], x: [2, 8, 8, 8] };
    const conv = (dy: tf.Tensor4D, filter: tf.Tensor4D) => tf.conv2dTranspose(dy, filter, shapes.x, 2, 'same');
    const seeded = (shape: Shape4, seed: number) =>
      tf.tensor4d(
        seededValues(
          shape.reduce((a, b) => a * b, 1),
          seed,
        ),
        shape,
      );
    const onCpu = async (dyValues: Float32Array, filterValues: Float32Array) => {
      await tf.setBackend('cpu');
      const inputs = [tf.tensor4d(dyValues, shapes.dy), tf.tensor4d(filterValues, shapes.filter)];
      const out = conv(inputs[0], inputs[1]);
      const values = await out.data();
      tf.dispose([...inputs, out]);
      await tf.setBackend('wasm');
      return values;
    };

    it('repeated calls on the same weights run XNNPACK on the same phase filters (no new backend data), and equal the cpu kernel', async () => {
      await tf.setBackend('wasm');
      const dy = seeded(shapes.dy, 3);
      const filter = seeded(shapes.filter, 4);
      const expected = await onCpu((await dy.data()) as Float32Array, (await filter.data()) as Float32Array);
      // The phase filters each call hands the Conv2D kernel: XNNPACK keeps its packed weights per filter.
      const conv2d = tf.getKernel('Conv2D', 'wasm')!;
      const kernelFunc = conv2d.kernelFunc;
      const phaseFiltersUsed: object[][] = [];
      (conv2d as { kernelFunc: unknown }).kernelFunc = (args: { inputs: { filter: tf.TensorInfo } }) => {
        phaseFiltersUsed.at(-1)!.push(args.inputs.filter.dataId);
        return kernelFunc(args as never);
      };
      try {
        phaseFiltersUsed.push([]);
        const first = conv(dy, filter);
        const afterFirst = tf.backend().numDataIds();
        for (let i = 0; i < 3; i++) {
          phaseFiltersUsed.push([]);
          const again = conv(dy, filter);
          expect(relativeError(await again.data(), expected)).toBeLessThan(1e-5);
          again.dispose();
          expect(tf.backend().numDataIds()).toBe(afterFirst);
        }
        expect(relativeError(await first.data(), expected)).toBeLessThan(1e-5);
        expect(phaseFiltersUsed[0]).toHaveLength(4);
        for (const used of phaseFiltersUsed.slice(1)) expect(used).toEqual(phaseFiltersUsed[0]);
        tf.dispose([dy, filter, first]);
      } finally {
        (conv2d as { kernelFunc: unknown }).kernelFunc = kernelFunc;
      }
    });

    it("a variable assigned new weights (a training step) gives the new weights' result, and disposing frees what was kept", async () => {
      await tf.setBackend('wasm');
      const before = tf.backend().numDataIds();
      const dy = seeded(shapes.dy, 5);
      const initial = seeded(shapes.filter, 6);
      const weights = tf.variable(initial);
      const first = conv(dy, weights as tf.Tensor4D);
      const next = seeded(shapes.filter, 7);
      weights.assign(next);
      const second = conv(dy, weights as tf.Tensor4D);
      const expected = await onCpu((await dy.data()) as Float32Array, (await next.data()) as Float32Array);
      expect(relativeError(await second.data(), expected)).toBeLessThan(1e-5);
      expect(relativeError(await first.data(), expected)).toBeGreaterThan(0.1);
      tf.dispose([dy, initial, weights, first, second, next]);
      expect(tf.backend().numDataIds()).toBe(before);
    });
  });
});
