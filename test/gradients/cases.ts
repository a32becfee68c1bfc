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

const unary = (
  name: string,
  kernel: string,
  f: (x: tf.Tensor) => tf.Tensor,
  make = normal([3, 4]),
  order?: number,
): GradCase => ({
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

/** What the shipped networks and losses use. */
const NETWORK_OP_CASES: readonly GradCase[] = [
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
  unary(
    'clipByValue, squared',
    'ClipByValue',
    (x) => tf.square(tf.clipByValue(x, -1, 1)),
    uniform([3, 4], { min: -2, max: 2, awayFrom: [-1, 1] }),
  ),
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
  {
    name: 'matMul',
    kernels: ['BatchMatMul'],
    inputs: inputs(normal([3, 4]), normal([4, 5])),
    f: (a, b) => tf.matMul(a, b),
  },
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
    f: (x, w, bias) =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 2, pad: 'same', bias }),
  },
  {
    name: 'fused matMul with bias and leakyrelu (unfused under a tape)',
    kernels: ['BatchMatMul', 'LeakyRelu'],
    inputs: inputs(normal([3, 4]), normal([4, 5]), normal([5])),
    f: (a, b, bias) =>
      tf.fused.matMul({
        a: a as tf.Tensor2D,
        b: b as tf.Tensor2D,
        bias,
        activation: 'leakyrelu',
        leakyreluAlpha: LEAKY_RELU_ALPHA,
      }),
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
  unary(
    'pad, squared',
    'PadV2',
    (x) =>
      tf.square(
        tf.pad(
          x,
          [
            [0, 1],
            [2, 0],
          ],
          0.5,
        ),
      ),
    normal([3, 4]),
  ),
  {
    name: 'concat, squared',
    kernels: ['Concat'],
    inputs: inputs(normal([3, 2]), normal([3, 4])),
    f: (a, b) => tf.square(tf.concat([a, b], 1)),
  },
  unary(
    'stridedSlice, strides 2 and 3, squared',
    'StridedSlice',
    (x) => tf.square(tf.stridedSlice(x, [0, 1, 0], [3, 6, 5], [2, 3, 1])),
    normal([3, 7, 5]),
  ),
  unary(
    'stridedSlice, negative stride, third order',
    'StridedSlice',
    (x) => tf.square(tf.stridedSlice(x, [0, -1], [3, 0], [1, -2], 0, 0)),
    normal([3, 6]),
    3,
  ),
  unary(
    'stridedSlice, masks, ellipsis, new and shrunk axes, squared',
    'StridedSlice',
    // x[1:, ..., newaxis, 2] on a [3, 4, 5]: begin mask on axis 0 cleared, shrink last.
    (x) => tf.square(tf.stridedSlice(x, [1, 0, 0, 2], [0, 0, 0, 3], [1, 1, 1, 1], 0, 1, 2, 4, 8)),
    normal([3, 4, 5]),
  ),
  {
    // A latent mixture's centre: rows picked by an argmax of the input, so the indices depend
    // on it (their gradient is zero; tfjs's handed back the int32 indices and failed the tape).
    // The table is a constant, as the centres are.
    name: 'gather of constant rows picked by argMax of the input',
    kernels: ['GatherV2', 'ArgMax'],
    inputs: inputs(uniform([3, 4], { awayFrom: [0], margin: 0.2 })),
    f: (x) =>
      tf.mul(
        tf.square(tf.gather(tf.tensor2d([1, -2, 0.5, 3, -1, 2, 0.25, -0.5], [4, 2]), tf.argMax(x, 1))),
        tf.sum(x, 1, true),
      ),
  },
  unary(
    'depthToSpace NHWC, squared',
    'DepthToSpace',
    (x) => tf.square(tf.depthToSpace(x as tf.Tensor4D, 2, 'NHWC')),
    normal([2, 2, 3, 8]),
  ),
];

// ---- Ops a user's own critic or generator may use. ----

/** Shuffled, evenly spaced values in [min, max]: every max/min is unique and 0.1 clear of the runner-up. */
const distinct =
  (shape: number[], min = -2, max = 2) =>
  (rand: Random) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: size }, (_, i) => min + ((max - min) * i) / Math.max(1, size - 1));
    for (let i = size - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [values[i], values[j]] = [values[j], values[i]];
    }
    return tf.tensor(values, shape);
  };

type Pad = 'valid' | 'same';
const poolCase = (
  kind: 'maxPool' | 'avgPool',
  shape: number[],
  filter: [number, number],
  strides: [number, number],
  pad: Pad,
  range: [number, number] = [-2, 2],
): GradCase => ({
  name: `${kind} ${filter.join('x')} strides ${strides.join(',')} ${pad} on [${shape}]${range[1] < 0 ? ', all negative' : ''}, squared`,
  kernels: [kind === 'maxPool' ? 'MaxPool' : 'AvgPool'],
  inputs: inputs(distinct(shape, ...range)),
  f: (x) => tf.square(tf[kind](x as tf.Tensor4D, filter, strides, pad)),
});

const resizeCase = (
  kind: 'resizeBilinear' | 'resizeNearestNeighbor',
  shape: number[],
  size: [number, number],
  mode: 'alignCorners' | 'halfPixelCenters' | 'neither',
): GradCase => ({
  name: `${kind} [${shape}] -> ${size.join('x')}, ${mode}, squared`,
  kernels: [kind === 'resizeBilinear' ? 'ResizeBilinear' : 'ResizeNearestNeighbor'],
  inputs: inputs(normal(shape)),
  f: (x) => tf.square(tf.image[kind](x as tf.Tensor4D, size, mode === 'alignCorners', mode === 'halfPixelCenters')),
});

const depthwiseCase = (shape: number[], filter: number[], strides: number, pad: Pad): GradCase => ({
  name: `depthwiseConv2d [${shape}] * [${filter}] stride ${strides} ${pad}`,
  kernels: ['DepthwiseConv2dNative'],
  inputs: inputs(normal(shape), normal(filter)),
  f: (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad),
});

const GAN_OP_CASES: readonly GradCase[] = [
  poolCase('maxPool', [2, 4, 4, 3], [2, 2], [2, 2], 'valid'),
  poolCase('maxPool', [2, 5, 5, 2], [3, 3], [2, 2], 'same'),
  poolCase('maxPool', [2, 5, 5, 2], [3, 3], [2, 2], 'same', [-3, -0.5]),
  poolCase('maxPool', [2, 4, 5, 2], [3, 2], [1, 2], 'same', [-3, -0.5]),
  poolCase('maxPool', [2, 5, 4, 2], [2, 3], [1, 1], 'valid'),
  poolCase('avgPool', [2, 4, 4, 3], [2, 2], [2, 2], 'valid'),
  poolCase('avgPool', [2, 5, 5, 2], [3, 3], [2, 2], 'same'),
  poolCase('avgPool', [2, 5, 5, 2], [3, 3], [1, 1], 'same', [-3, -0.5]),
  poolCase('avgPool', [2, 4, 5, 2], [3, 2], [1, 2], 'same'),
  poolCase('avgPool', [2, 5, 4, 2], [2, 3], [1, 1], 'valid'),
  ...(['alignCorners', 'halfPixelCenters', 'neither'] as const).flatMap((mode) => [
    resizeCase('resizeBilinear', [2, 3, 3, 2], [6, 6], mode),
    resizeCase('resizeBilinear', [2, 3, 4, 2], [5, 7], mode),
    resizeCase('resizeBilinear', [2, 6, 5, 2], [4, 3], mode),
    resizeCase('resizeNearestNeighbor', [2, 3, 3, 2], [6, 6], mode),
    resizeCase('resizeNearestNeighbor', [2, 3, 4, 2], [5, 7], mode),
    resizeCase('resizeNearestNeighbor', [2, 6, 5, 2], [4, 3], mode),
  ]),
  depthwiseCase([2, 5, 5, 2], [3, 3, 2, 1], 1, 'same'),
  depthwiseCase([2, 6, 6, 2], [3, 3, 2, 2], 2, 'same'),
  depthwiseCase([2, 7, 6, 3], [3, 2, 3, 2], 2, 'valid'),
  {
    name: 'separableConv2d (depthwise then pointwise)',
    kernels: ['DepthwiseConv2dNative', 'Conv2D'],
    inputs: inputs(normal([2, 5, 5, 2]), normal([3, 3, 2, 2]), normal([1, 1, 4, 3])),
    f: (x, dw, pw) => tf.separableConv2d(x as tf.Tensor4D, dw as tf.Tensor4D, pw as tf.Tensor4D, 1, 'same'),
  },
  // Casts: float -> float passes the gradient; through int32 or bool it is piecewise constant: zero.
  unary('cast float32 -> float32, squared', 'Cast', (x) => tf.square(tf.cast(x, 'float32'))),
  {
    name: 'cast round trip through int32 (a step function): x^2 * floor-ish(3x)',
    kernels: ['Cast'],
    inputs: inputs(uniform([3, 4], { min: -2, max: 2 })),
    f: (x) => tf.mul(tf.square(x), tf.cast(tf.cast(tf.mul(x, 3), 'int32'), 'float32')),
    pieces: (x) => tf.sin(tf.mul(x, 3 * Math.PI)),
  },
  {
    name: 'cast through bool: x^2 * (x != 0)',
    kernels: ['Cast'],
    inputs: inputs(awayFromZero([3, 4])),
    f: (x) => tf.mul(tf.square(x), tf.cast(tf.cast(x, 'bool'), 'float32')),
  },
  // Shape ops.
  unary(
    'mirrorPad reflect, squared',
    'MirrorPad',
    (x) =>
      tf.square(
        tf.mirrorPad(
          x,
          [
            [0, 0],
            [2, 1],
            [1, 2],
            [0, 0],
          ],
          'reflect',
        ),
      ),
    normal([2, 4, 4, 2]),
  ),
  unary(
    'mirrorPad symmetric, squared',
    'MirrorPad',
    (x) =>
      tf.square(
        tf.mirrorPad(
          x,
          [
            [1, 0],
            [2, 2],
          ],
          'symmetric',
        ),
      ),
    normal([3, 4]),
  ),
  unary(
    'gather axis 0 with repeats, squared',
    'GatherV2',
    (x) => tf.square(tf.gather(x, tf.tensor1d([2, 0, 2, 1], 'int32'), 0)),
    normal([3, 4]),
  ),
  unary(
    'gather axis 1, squared',
    'GatherV2',
    (x) =>
      tf.square(
        tf.gather(
          x,
          tf.tensor2d(
            [
              [3, 0],
              [1, 3],
            ],
            [2, 2],
            'int32',
          ),
          1,
        ),
      ),
    normal([2, 4, 3]),
  ),
  unary(
    'gather batchDims 1, squared',
    'GatherV2',
    (x) =>
      tf.square(
        tf.gather(
          x,
          tf.tensor2d(
            [
              [1, 1],
              [0, 2],
            ],
            [2, 2],
            'int32',
          ),
          1,
          1,
        ),
      ),
    normal([2, 3, 2]),
  ),
  unary('tile, squared', 'Tile', (x) => tf.square(tf.tile(x, [2, 1, 3])), normal([2, 3, 2])),
  unary('tile rank 5, squared', 'Tile', (x) => tf.square(tf.tile(x, [1, 2, 1, 1, 2])), normal([2, 1, 2, 1, 2])),
  unary('reverse, squared', 'Reverse', (x) => tf.square(tf.reverse(x, [0, 2])), normal([2, 3, 4])),
  {
    ...unary(
      'stack and unstack, squared',
      'Pack',
      (x) => tf.square(tf.stack(tf.unstack(x, 1).reverse(), 0)),
      normal([2, 3, 2]),
    ),
    kernels: ['Pack', 'Unpack'],
  },
  unary('split, squared', 'SplitV', (x) => tf.square(tf.concat(tf.split(x, [1, 3], 1).reverse(), 1)), normal([3, 4])),
  unary(
    'broadcastTo (a Tile in tfjs 4.22), squared',
    'Tile',
    (x) => tf.square(tf.broadcastTo(x, [2, 3, 4])),
    normal([3, 1]),
  ),
  {
    ...unary(
      'spaceToBatchND and batchToSpaceND, squared',
      'SpaceToBatchND',
      (x) =>
        tf.square(
          tf.batchToSpaceND(
            tf.mul(
              tf.spaceToBatchND(
                x,
                [2, 2],
                [
                  [0, 0],
                  [0, 0],
                ],
              ),
              2,
            ),
            [2, 2],
            [
              [0, 0],
              [0, 0],
            ],
          ),
        ),
      normal([2, 4, 4, 1]),
    ),
    kernels: ['SpaceToBatchND', 'BatchToSpaceND'],
  },
  // Reductions.
  unary('max over an axis, squared', 'Max', (x) => tf.square(tf.max(x, 1)), distinct([3, 5])),
  unary('min over two axes, squared', 'Min', (x) => tf.square(tf.min(x, [0, 2])), distinct([2, 3, 4])),
  unary('prod over an axis', 'Prod', (x) => tf.prod(x, 1), uniform([3, 4], { min: 0.5, max: 1.5 })),
  unary('logSumExp over an axis', 'Max', (x) => tf.logSumExp(x, 1), normal([3, 5])),
  unary('euclidean norm per row', 'Sqrt', (x) => tf.norm(x, 'euclidean', 1), normal([3, 5])),
  unary(
    'cumsum, exclusive and reverse, squared',
    'Cumsum',
    (x) => tf.square(tf.cumsum(x, 1, true, true)),
    normal([3, 4]),
  ),
  // Normalisations and softmax.
  unary('softmax', 'Softmax', (x) => tf.softmax(x), normal([3, 5])),
  {
    ...unary('logSoftmax (Max, Sub, Exp, Sum, Log in tfjs 4.22)', 'Log', (x) => tf.logSoftmax(x), normal([3, 5])),
    kernels: ['Max', 'Exp', 'Log'],
  },
  {
    name: 'batchNorm rank 4, [C] statistics from moments, offset and scale',
    kernels: ['FusedBatchNorm'],
    inputs: inputs(normal([2, 3, 3, 2]), normal([2]), normal([2])),
    f: (x, offset, scale) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, mean, variance, offset, scale, 1e-3);
    },
  },
  {
    name: 'batchNorm rank 2, [C] statistics, offset and scale',
    kernels: ['FusedBatchNorm'],
    inputs: inputs(normal([4, 3]), normal([3]), normal([3])),
    f: (x, offset, scale) => {
      const { mean, variance } = tf.moments(x, 0);
      return tf.batchNorm(x, mean, variance, offset, scale, 1e-3);
    },
  },
  {
    name: 'batchNorm rank 4, kept-dims statistics, offset and scale [1,1,1,C]',
    kernels: ['FusedBatchNorm'],
    inputs: inputs(normal([2, 3, 3, 2]), normal([1, 1, 1, 2]), normal([1, 1, 1, 2])),
    f: (x, offset, scale) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2], true);
      return tf.batchNorm(x, mean, variance, offset, scale, 1e-3);
    },
  },
  unary(
    'local response normalization',
    'LRN',
    (x) => tf.localResponseNormalization(x as tf.Tensor4D, 1, 1, 0.5, 0.75),
    normal([2, 2, 2, 4]),
  ),
  // More activations and arithmetic.
  {
    name: 'prelu with per-channel alpha',
    kernels: ['Prelu'],
    inputs: inputs(awayFromZero([2, 3, 4]), uniform([4], { min: 0.1, max: 0.5 })),
    f: (x, alpha) => tf.mul(tf.prelu(x, alpha), x),
  },
  unary('selu', 'Selu', tf.selu, awayFromZero([3, 4])),
  {
    name: 'pow with a broadcast exponent',
    kernels: ['Pow'],
    inputs: inputs(uniform([3, 4], { min: 0.5, max: 2 }), uniform([4], { min: 0.5, max: 2.5 })),
    f: (a, b) => tf.pow(a, b),
  },
  unary('reciprocal', 'Reciprocal', tf.reciprocal, uniform([3, 4], { min: 0.5, max: 2 })),
  unary('log1p', 'Log1p', tf.log1p, uniform([3, 4], { min: -0.5, max: 2 })),
  unary('expm1', 'Expm1', tf.expm1),
  unary('erf', 'Erf', tf.erf),
  unary('sin and cos', 'Sin', (x) => tf.mul(tf.sin(x), tf.cos(x))),
  {
    name: 'atan2',
    kernels: ['Atan2'],
    inputs: inputs(normal([3, 4]), uniform([3, 4], { min: 0.5, max: 2 })),
    f: (a, b) => tf.atan2(a, b),
  },
  {
    name: 'where (Select), squared',
    kernels: ['Select'],
    inputs: inputs(normal([3, 4]), normal([3, 4])),
    f: (a, b) => tf.square(tf.where(tf.greater(a, b), a, tf.mul(b, 2))),
    pieces: (a, b) => tf.sub(a, b),
  },
  unary(
    'round, floor, ceil, sign (zero gradients) times x^2',
    'Round',
    (x) => tf.mul(tf.square(x), tf.addN([tf.round(x), tf.floor(x), tf.ceil(x), tf.sign(x)])),
    uniform([3, 4], { min: -2, max: 2, awayFrom: [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2] }),
  ),
];

/** The backward kernels themselves, run directly, for the gradients registered for them (second order of pooling, resizing, depthwise). */
const run = (kernel: string, inputs: tf.NamedTensorMap, attrs: object) =>
  tf.engine().runKernel(kernel, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;

const BACKWARD_KERNEL_CASES: readonly GradCase[] = [
  {
    name: 'AvgPoolGrad kernel, 2x2 stride 2 valid',
    kernels: ['AvgPoolGrad'],
    inputs: inputs(normal([2, 2, 2, 3]), normal([2, 4, 4, 3])),
    f: (dy, input) =>
      tf.square(run('AvgPoolGrad', { dy, input }, { filterSize: [2, 2], strides: [2, 2], pad: 'valid' })),
  },
  {
    name: 'MaxPoolGrad kernel, 2x2 stride 2 valid',
    kernels: ['MaxPoolGrad'],
    inputs: inputs(normal([2, 2, 2, 3]), distinct([2, 4, 4, 3])),
    f: (dy, input) => {
      const output = tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid');
      return tf.square(
        run('MaxPoolGrad', { dy, input, output }, { filterSize: [2, 2], strides: [2, 2], pad: 'valid' }),
      );
    },
  },
  {
    name: 'ResizeBilinearGrad kernel, 3x3 -> 6x6, alignCorners',
    kernels: ['ResizeBilinearGrad'],
    inputs: inputs(normal([2, 6, 6, 2]), normal([2, 3, 3, 2])),
    f: (dy, images) =>
      tf.square(run('ResizeBilinearGrad', { dy, images }, { alignCorners: true, halfPixelCenters: false })),
  },
  {
    name: 'ResizeNearestNeighborGrad kernel, 3x3 -> 6x6, alignCorners (wasm only: the cpu kernel is wrong)',
    kernels: ['ResizeNearestNeighborGrad'],
    inputs: inputs(normal([2, 6, 6, 2]), normal([2, 3, 3, 2])),
    f: (dy, images) =>
      tf.square(run('ResizeNearestNeighborGrad', { dy, images }, { alignCorners: true, halfPixelCenters: false })),
    backends: ['wasm'],
  },
  {
    name: 'DepthwiseConv2dNativeBackpropInput kernel, stride 2 same, multiplier 2',
    kernels: ['DepthwiseConv2dNativeBackpropInput'],
    inputs: inputs(normal([2, 3, 3, 4]), normal([3, 3, 2, 2])),
    f: (dy, filter) =>
      run(
        'DepthwiseConv2dNativeBackpropInput',
        { dy, filter },
        { strides: 2, pad: 'same', dilations: 1, inputShape: [2, 6, 6, 2] },
      ),
  },
  {
    name: 'DepthwiseConv2dNativeBackpropFilter kernel, stride 2 valid, multiplier 2',
    kernels: ['DepthwiseConv2dNativeBackpropFilter'],
    inputs: inputs(normal([2, 7, 6, 2]), normal([2, 3, 2, 4])),
    f: (x, dy) =>
      run(
        'DepthwiseConv2dNativeBackpropFilter',
        { x, dy },
        { strides: 2, pad: 'valid', dilations: 1, filterShape: [3, 3, 2, 2] },
      ),
  },
];

export const GRADIENT_CASES: readonly GradCase[] = [...NETWORK_OP_CASES, ...GAN_OP_CASES, ...BACKWARD_KERNEL_CASES];
