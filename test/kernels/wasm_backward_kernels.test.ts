/**
 * The WASM kernels the gradients of pooling, gather and depthwise convolution need: missing
 * from tfjs-backend-wasm 4.22 (the depthwise backprops, UnsortedSegmentSum) or wrong there
 * (MaxPoolGrad, MaxPoolWithArgmax, Cast to bool), each against the cpu backend's kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../src/index';
import { relativeError, runKernelOn, seededValues, type KernelCall } from './helpers';

type Pad = 'same' | 'valid';
const DEPTHWISE: {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}[] = [
  { name: 'stride 1 same, multiplier 1', x: [2, 7, 7, 3], filter: [3, 3, 3, 1], strides: 1, pad: 'same' },
  { name: 'stride 2 same, multiplier 2', x: [2, 8, 8, 4], filter: [5, 5, 4, 2], strides: 2, pad: 'same' },
  { name: 'stride 2 valid, unread rows, odd sizes', x: [3, 9, 8, 2], filter: [3, 2, 2, 3], strides: 2, pad: 'valid' },
  { name: 'strides [1, 2] same, even kernel', x: [2, 6, 9, 2], filter: [4, 4, 2, 1], strides: [1, 2], pad: 'same' },
];

describe.each(DEPTHWISE)('depthwise backprops on wasm equal the cpu kernels: $name', (c) => {
  const outShape = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, undefined, true).outShape;
  const attrs = { strides: c.strides, pad: c.pad, dilations: 1 };

  it('DepthwiseConv2dNativeBackpropInput', async () => {
    const call: KernelCall = {
      kernelName: 'DepthwiseConv2dNativeBackpropInput',
      inputs: { dy: [outShape, 5], filter: [c.filter, 6] },
      attrs: { ...attrs, inputShape: c.x },
    };
    const expected = await runKernelOn('cpu', call);
    const actual = await runKernelOn('wasm', call);
    expect(actual.shape).toEqual(c.x);
    expect(relativeError(actual.values, expected.values)).toBeLessThan(1e-5);
  });

  it('DepthwiseConv2dNativeBackpropFilter', async () => {
    const call: KernelCall = {
      kernelName: 'DepthwiseConv2dNativeBackpropFilter',
      inputs: { x: [c.x, 7], dy: [outShape, 8] },
      attrs: { ...attrs, filterShape: c.filter },
    };
    const expected = await runKernelOn('cpu', call);
    const actual = await runKernelOn('wasm', call);
    expect(actual.shape).toEqual(c.filter);
    expect(relativeError(actual.values, expected.values)).toBeLessThan(1e-5);
  });
});

describe('UnsortedSegmentSum on wasm', () => {
  it('sums rows into their segments, drops negative and out-of-range ids, and equals cpu', async () => {
    const results: number[][] = [];
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const x = tf.tensor(seededValues(5 * 3, 9), [5, 3]);
      const ids = tf.tensor1d([2, 0, -1, 2, 4], 'int32');
      const before = tf.backend().numDataIds();
      const sums = tf.unsortedSegmentSum(x, ids, 4);
      results.push(Array.from(await sums.data()));
      sums.dispose();
      expect(tf.backend().numDataIds()).toBe(before);
      tf.dispose([x, ids]);
    }
    const [cpu, wasm] = results;
    const x = seededValues(15, 9);
    // Segment 2 = rows 0 + 3, segment 0 = row 1, segments 1 and 3 empty (row 2: id -1, row 4: id 4 >= 4).
    expect(cpu.slice(6, 9)).toEqual([0, 1, 2].map((j) => Math.fround(x[j] + x[9 + j])));
    expect(cpu.slice(3, 6)).toEqual([0, 0, 0]);
    expect(wasm).toEqual(cpu);
  });
});

/** Windows next to 'same' padding whose values are all negative: where wasm's C++ kernels took the padding for a 0 maximum. */
function negativeImage(): tf.Tensor4D {
  return tf.tensor4d(
    seededValues(2 * 5 * 5 * 3, 12).map((v) => v - 1.5),
    [2, 5, 5, 3],
  );
}

describe('max pooling kernels on wasm, all-negative windows next to same padding', () => {
  it('MaxPoolWithArgmax picks a pixel of x, as cpu', async () => {
    const out: { result: number[]; indexes: number[] }[] = [];
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const x = negativeImage();
      const { result, indexes } = tf.maxPoolWithArgmax(x, 3, 2, 'same', true);
      out.push({ result: Array.from(await result.data()), indexes: Array.from(await indexes.data()) });
      tf.dispose([x, result, indexes]);
    }
    expect(Math.max(...out[1].result)).toBeLessThan(0);
    expect(out[1]).toEqual(out[0]);
  });

  it.each(['same', 'valid'] as const)('MaxPoolGrad (%s) equals cpu', async (pad) => {
    const out: number[][] = [];
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const input = negativeImage();
      const output = tf.maxPool(input, 3, 2, pad);
      const dy = tf.tensor(seededValues(output.size, 13), output.shape);
      const grad = tf
        .engine()
        .runKernel('MaxPoolGrad', { dy, input, output }, { filterSize: 3, strides: 2, pad } as never) as tf.Tensor;
      out.push(Array.from(await grad.data()));
      tf.dispose([input, output, dy, grad]);
    }
    expect(relativeError(out[1], out[0])).toBeLessThan(1e-6);
  });
});

describe('Cast to bool on wasm', () => {
  it('is x != 0 for float32 and int32 (the built-in kernel wrapped: -1.2 gave 255, 256 gave 0)', async () => {
    await tf.setBackend('wasm');
    const floats = tf.tensor1d([0.3, -1.2, 0, 2, 256, -0]);
    const ints = tf.tensor1d([0, -1, 256, 3], 'int32');
    expect(await tf.cast(floats, 'bool').array()).toEqual([1, 1, 0, 1, 1, 0]);
    expect(await tf.cast(ints, 'bool').array()).toEqual([0, 1, 1, 1]);
    expect(await tf.cast(floats, 'int32').array()).toEqual([0, -1, 0, 2, 256, 0]);
    tf.dispose([floats, ints]);
  });
});
