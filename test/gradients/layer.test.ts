import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_GRADIENTS } from '../../src/backend/gradients';
import { initBackend } from '../../src/index';
import { checkGradients, randomNormal } from '../helpers/gradcheck';
import { GRADIENT_CASES } from './cases';

/** What the issue asks to be right at first and second order. */
const REQUIRED_KERNELS = [
  'Tanh',
  'Sigmoid',
  'Softplus',
  'Relu',
  'LeakyRelu',
  'Elu',
  'Maximum',
  'Conv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'BatchMatMul',
  'Mean',
  'Sub',
  'SquaredDifference',
  'Rsqrt',
  'Sqrt',
  'Multiply',
  'Add',
  'Sum',
  'RealDiv',
  'Reshape',
  'Transpose',
  'Slice',
  'PadV2',
  'StridedSlice',
  'DepthToSpace',
  'Concat',
  'Square',
  'Exp',
  'Log',
  'Neg',
  'Abs',
  'ClipByValue',
  '_FusedMatMul',
  'FusedConv2D',
  // Issue 31: what a user's own critic or generator may use, and the backward kernels whose gradients the layer adds.
  'MaxPool',
  'AvgPool',
  'ResizeBilinear',
  'ResizeNearestNeighbor',
  'DepthwiseConv2dNative',
  'Cast',
  'MirrorPad',
  'GatherV2',
  'Tile',
  'Reverse',
  'Pack',
  'Unpack',
  'SplitV',
  'SpaceToBatchND',
  'BatchToSpaceND',
  'Max',
  'Min',
  'Prod',
  'Cumsum',
  'Softmax',
  'FusedBatchNorm',
  'LRN',
  'Prelu',
  'Selu',
  'Pow',
  'Select',
  'AvgPoolGrad',
  'MaxPoolGrad',
  'ResizeBilinearGrad',
  'ResizeNearestNeighborGrad',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
];

/** Comparison and logical ops, each as a mask m(x); d/dx sum(x * m(x)) = m(x) away from the edges. */
const MASKS: [string, (x: tf.Tensor) => tf.Tensor][] = [
  ['Greater', (x) => tf.greater(x, 0)],
  ['GreaterEqual', (x) => tf.greaterEqual(x, 0)],
  ['Less', (x) => tf.less(x, 0)],
  ['LessEqual', (x) => tf.lessEqual(x, 0)],
  ['Equal', (x) => tf.equal(tf.round(x), 1)],
  ['NotEqual', (x) => tf.notEqual(tf.round(x), 1)],
  ['LogicalAnd', (x) => tf.logicalAnd(tf.greater(x, -1), tf.less(x, 1))],
  ['LogicalOr', (x) => tf.logicalOr(tf.less(x, -1), tf.greater(x, 1))],
  ['LogicalXor', (x) => tf.logicalXor(tf.greater(x, 0), tf.greater(x, 1))],
  ['LogicalNot', (x) => tf.logicalNot(tf.greater(x, 0))],
  // int32 inputs: tfjs's own GreaterEqual gradient returned int32 zeros, which the engine rejects.
  ['GreaterEqual on int32', (x) => tf.greaterEqual(tf.cast(tf.mul(x, 2), 'int32'), 1)],
];

describe('the gradient layer', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it("is registered after tfjs's own gradients, so every project gradient is the one in force", () => {
    for (const config of PROJECT_GRADIENTS) expect(tf.getGradient(config.kernelName)).toBe(config);
  });

  it('the gradient-check table covers every kernel the issue names', () => {
    const covered = new Set(GRADIENT_CASES.flatMap((c) => c.kernels));
    expect(REQUIRED_KERNELS.filter((k) => !covered.has(k))).toEqual([]);
  });

  it.each(GRADIENT_CASES.filter((c) => c.backends == null).map((c) => [c.name, c] as const))(
    'case %s runs the kernels it names under a tape',
    async (_name, c) => {
      const xs = c.inputs(Math.random);
      const profile = await tf.profile(() => tf.grads((...ys: tf.Tensor[]) => tf.sum(c.f(...ys)))(xs));
      tf.dispose(profile.result as tf.Tensor[]);
      tf.dispose(xs);
      expect(c.kernels.filter((k) => !profile.kernelNames.includes(k))).toEqual([]);
    },
  );

  it.each(MASKS)('%s passes double backprop with a float32 zero gradient', async (_name, mask) => {
    const x = tf.tensor([-1.7, -0.6, 0.3, 0.8, 1.4, 2.2]);
    const masked = (t: tf.Tensor) => tf.mul(t, tf.cast(mask(t), 'float32'));
    const expected = await tf.tidy(() => tf.cast(mask(x), 'float32')).array();
    // First order, and the second order of x^2 * m(x) (2 m(x)): both go through the mask's gradient.
    const first = tf.grad((t: tf.Tensor) => tf.sum(masked(t)))(x);
    const second = tf.grad((t: tf.Tensor) => tf.sum(tf.grad((u: tf.Tensor) => tf.sum(tf.mul(masked(u), u)))(t)))(x);
    expect(first.dtype).toBe('float32');
    expect(await first.array()).toEqual(expected);
    expect(await second.array()).toEqual((expected as number[]).map((m) => 2 * m));
    tf.dispose([x, first, second]);
  });
});

describe('DepthToSpace NCHW (wasm; the cpu kernel supports only NHWC)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it('gradient matches finite differences to second order', async () => {
    const reports = await checkGradients({
      name: 'depthToSpace NCHW, squared',
      kernels: ['DepthToSpace'],
      inputs: (rand) => [randomNormal(rand, [2, 8, 2, 3])],
      f: (x) => tf.square(tf.depthToSpace(x as tf.Tensor4D, 2, 'NCHW')),
    });
    for (const report of reports) expect(report.mismatches).toEqual([]);
  });
});
