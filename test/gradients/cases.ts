/**
 * The gradient-check table: every op the project's networks and losses use, each at a
 * small random point with batch > 1. Free of Node APIs, so a browser test can run the same
 * table on WebGPU. Linear ops are squared so that their second order is not trivially zero
 * and goes through their gradient's own gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { randomNormal, randomUniform, type GradCase, type Random, type UniformOptions } from '../helpers/gradcheck';

const normal = (shape: number[]) => (rand: Random) => randomNormal(rand, shape);
const uniform = (shape: number[], options?: UniformOptions) => (rand: Random) => randomUniform(rand, shape, options);
const inputs =
  (...makers: ((rand: Random) => tf.Tensor)[]) =>
  (rand: Random) =>
    makers.map((make) => make(rand));
/** Values at least 0.1 from the kink at 0 of relu, leaky relu, abs, elu. */
const awayFromZero = (shape: number[]) => uniform(shape, { min: -2, max: 2, awayFrom: [0] });
/** |a - b| >= 0.2 everywhere, for maximum/minimum: a in +-[0.5, 1], b in [-0.3, 0.3]. */
const farFromB = (shape: number[]) => uniform(shape, { awayFrom: [0], margin: 0.5 });
const nearZero = (shape: number[]) => uniform(shape, { min: -0.3, max: 0.3 });

const LEAKY_RELU_ALPHA = 0.2;

const unary = (name: string, kernel: string, f: (x: tf.Tensor) => tf.Tensor, make = normal([3, 4]), order?: number): GradCase => ({
  name,
  kernels: [kernel],
  inputs: inputs(make),
  f,
  order,
});

const LAYER_NORM_EPSILON = 1e-5;

function layerNorm(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const variance = tf.mean(tf.squaredDifference(x, mean), -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, LAYER_NORM_EPSILON))), gain), bias);
}

export const GRADIENT_CASES: readonly GradCase[] = [
  // Activations.
  unary('tanh', 'Tanh', tf.tanh),
  unary('sigmoid', 'Sigmoid', tf.sigmoid),
  unary('softplus', 'Softplus', tf.softplus),
  unary('relu', 'Relu', tf.relu, awayFromZero([3, 4])),
  unary('leakyRelu', 'LeakyRelu', (x) => tf.leakyRelu(x, LEAKY_RELU_ALPHA), awayFromZero([3, 4])),
  unary('relu6', 'Relu6', tf.relu6, uniform([3, 4], { min: -2, max: 8, awayFrom: [0, 6] })),
  unary('elu, third order', 'Elu', tf.elu, awayFromZero([3, 4]), 3),
  unary('square', 'Square', tf.square),
  unary('exp', 'Exp', tf.exp),
  unary('log', 'Log', tf.log, uniform([3, 4], { min: 0.5, max: 2 })),
  unary('sqrt', 'Sqrt', tf.sqrt, uniform([3, 4], { min: 0.5, max: 2 })),
  unary('rsqrt', 'Rsqrt', tf.rsqrt, uniform([3, 4], { min: 0.5, max: 2 })),
  unary('neg, squared', 'Neg', (x) => tf.square(tf.neg(x))),
  unary('abs', 'Abs', (x) => tf.mul(tf.abs(x), x), awayFromZero([3, 4])),
  unary('clipByValue, squared', 'ClipByValue', (x) => tf.square(tf.clipByValue(x, -1, 1)),
    uniform([3, 4], { min: -2, max: 2, awayFrom: [-1, 1] })),
  // Binary ops with broadcasting.
  {
    name: 'maximum, broadcast [3,4,5] with [4,1], squared',
    kernels: ['Maximum'],
    inputs: inputs(farFromB([3, 4, 5]), nearZero([4, 1])),
    f: (a, b) => tf.square(tf.maximum(a, b)),
  },
  {
    name: 'minimum, broadcast [4,1] with [3,4,5], squared',
    kernels: ['Minimum'],
    inputs: inputs(nearZero([4, 1]), farFromB([3, 4, 5])),
    f: (a, b) => tf.square(tf.minimum(a, b)),
  },
  {
    name: 'squaredDifference, broadcast [3,4,5] with [4,1]',
    kernels: ['SquaredDifference'],
    inputs: inputs(normal([3, 4, 5]), normal([4, 1])),
    f: tf.squaredDifference,
  },
  {
    name: 'add, sub, mul, div with broadcasting',
    kernels: ['Add', 'Sub', 'Multiply', 'RealDiv'],
    inputs: inputs(normal([3, 4]), normal([4]), uniform([3, 1], { min: 0.5, max: 2 })),
    f: (a, b, c) => tf.div(tf.mul(tf.add(a, b), tf.sub(a, b)), c),
  },
  // Matrix products: every transpose case, and broadcast batch dimensions.
  { name: 'matMul', kernels: ['BatchMatMul'], inputs: inputs(normal([3, 4]), normal([4, 5])), f: (a, b) => tf.matMul(a, b) },
  {
    name: 'matMul, batched [2,3,4] x [4,5] (broadcast)',
    kernels: ['BatchMatMul'],
    inputs: inputs(normal([2, 3, 4]), normal([4, 5])),
    f: (a, b) => tf.matMul(a, b),
  },
  {
    name: 'matMul, [3,4] x batched [2,4,5] (broadcast)',
    kernels: ['BatchMatMul'],
    inputs: inputs(normal([3, 4]), normal([2, 4, 5])),
    f: (a, b) => tf.matMul(a, b),
  },
  {
    name: 'matMul, transposeA, batched [2,4,3] x [1,4,5]',
    kernels: ['BatchMatMul'],
    inputs: inputs(normal([2, 4, 3]), normal([1, 4, 5])),
    f: (a, b) => tf.matMul(a, b, true, false),
  },
  {
    name: 'matMul, transposeB, [3,4] x batched [2,5,4]',
    kernels: ['BatchMatMul'],
    inputs: inputs(normal([3, 4]), normal([2, 5, 4])),
    f: (a, b) => tf.matMul(a, b, false, true),
  },
  {
    name: 'matMul, transposeA and transposeB, batched [2,4,3] x [5,4]',
    kernels: ['BatchMatMul'],
    inputs: inputs(normal([2, 4, 3]), normal([5, 4])),
    f: (a, b) => tf.matMul(a, b, true, true),
  },
  // Convolutions, 5x5 stride 2 as the DCGAN-style networks use them.
  {
    name: 'conv2d 5x5 stride 2 same',
    kernels: ['Conv2D'],
    inputs: inputs(normal([2, 6, 6, 2]), normal([5, 5, 2, 3])),
    f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'),
  },
  {
    name: 'conv2d 3x3 stride 1 valid',
    kernels: ['Conv2D'],
    inputs: inputs(normal([2, 5, 5, 2]), normal([3, 3, 2, 2])),
    f: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'),
  },
  {
    name: 'conv2dTranspose 5x5 stride 2 same, third order',
    kernels: ['Conv2DBackpropInput'],
    inputs: inputs(normal([2, 3, 3, 3]), normal([5, 5, 2, 3])),
    f: (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 6, 6, 2], 2, 'same'),
    order: 3,
  },
  {
    name: 'Conv2DBackpropFilter kernel, stride 2 same',
    kernels: ['Conv2DBackpropFilter'],
    inputs: inputs(normal([2, 6, 6, 2]), normal([2, 3, 3, 3])),
    f: (x, dy) =>
      tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
        strides: 2,
        pad: 'same',
        dataFormat: 'NHWC',
        filterShape: [3, 3, 2, 3],
      } as unknown as tf.NamedAttrMap) as tf.Tensor,
  },
  // Fused ops: tfjs registers no gradient for them; under a tape they run through
  // customGrad (linear) or unfused (with an activation).
  {
    name: 'fused matMul with bias (linear)',
    kernels: ['_FusedMatMul'],
    inputs: inputs(normal([3, 4]), normal([4, 5]), normal([5])),
    f: (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias }),
  },
  {
    name: 'fused conv2d with bias (linear)',
    kernels: ['FusedConv2D'],
    inputs: inputs(normal([2, 6, 6, 2]), normal([5, 5, 2, 3]), normal([3])),
    f: (x, w, bias) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 2, pad: 'same', bias }),
  },
  {
    name: 'fused matMul with bias and leakyrelu (unfused under a tape)',
    kernels: ['BatchMatMul', 'LeakyRelu'],
    inputs: inputs(normal([3, 4]), normal([4, 5]), normal([5])),
    f: (a, b, bias) =>
      tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation: 'leakyrelu', leakyreluAlpha: LEAKY_RELU_ALPHA }),
  },
  // Layer norm and reductions.
  {
    name: 'layer norm (mean, squaredDifference, rsqrt)',
    kernels: ['Mean', 'SquaredDifference', 'Rsqrt', 'Sub', 'Multiply', 'Add'],
    inputs: inputs(normal([3, 6]), normal([6]), normal([6])),
    f: layerNorm,
  },
  unary('sum over an axis, squared', 'Sum', (x) => tf.square(tf.sum(x, 1)), normal([3, 4])),
  unary('mean over an axis, squared', 'Mean', (x) => tf.square(tf.mean(x, 0)), normal([3, 4])),
  // Shape ops, squared.
  unary('reshape, squared', 'Reshape', (x) => tf.square(tf.reshape(x, [4, 3])), normal([3, 4])),
  unary('transpose, squared', 'Transpose', (x) => tf.square(tf.transpose(x, [1, 2, 0])), normal([2, 3, 4])),
  unary('slice, squared', 'Slice', (x) => tf.square(tf.slice(x, [1, 0, 1], [1, 2, 2])), normal([2, 3, 4])),
  unary('pad, squared', 'PadV2', (x) => tf.square(tf.pad(x, [[0, 1], [2, 0]], 0.5)), normal([3, 4])),
  {
    name: 'concat, squared',
    kernels: ['Concat'],
    inputs: inputs(normal([3, 2]), normal([3, 4])),
    f: (a, b) => tf.square(tf.concat([a, b], 1)),
  },
  unary('stridedSlice, strides 2 and 3, squared', 'StridedSlice',
    (x) => tf.square(tf.stridedSlice(x, [0, 1, 0], [3, 6, 5], [2, 3, 1])), normal([3, 7, 5])),
  unary('stridedSlice, negative stride, third order', 'StridedSlice',
    (x) => tf.square(tf.stridedSlice(x, [0, -1], [3, 0], [1, -2], 0, 0)), normal([3, 6]), 3),
  unary('stridedSlice, masks, ellipsis, new and shrunk axes, squared', 'StridedSlice',
    // x[1:, ..., newaxis, 2] on a [3, 4, 5]: begin mask on axis 0 cleared, shrink last.
    (x) => tf.square(tf.stridedSlice(x, [1, 0, 0, 2], [0, 0, 0, 3], [1, 1, 1, 1], 0, 1, 2, 4, 8)), normal([3, 4, 5])),
  {
    // A latent mixture's centre: rows picked by an argmax of the input, so the indices depend
    // on it (their gradient is zero; tfjs's handed back the int32 indices and failed the tape).
    // The table is a constant, as the centres are (its own gradient needs UnsortedSegmentSum,
    // which the WASM backend lacks).
    name: 'gather of constant rows picked by argMax of the input',
    kernels: ['GatherV2', 'ArgMax'],
    inputs: inputs(uniform([3, 4], { awayFrom: [0], margin: 0.2 })),
    f: (x) => tf.mul(tf.square(tf.gather(tf.tensor2d([1, -2, 0.5, 3, -1, 2, 0.25, -0.5], [4, 2]), tf.argMax(x, 1))), tf.sum(x, 1, true)),
  },
  unary('depthToSpace NHWC, squared', 'DepthToSpace',
    (x) => tf.square(tf.depthToSpace(x as tf.Tensor4D, 2, 'NHWC')), normal([2, 2, 3, 8])),
];
