/**
 * Gradient cases run twice, compared by parity.test.ts: in the test's own process on the ESM
 * path (src/, tfjs-core's ES modules with register_all_gradients, as the vitest node project
 * resolves them), and in a plain Node process on the built Node entry (dist/index.node.cjs
 * with the app's `require('@tensorflow/tfjs-core')`, whose gradients the build bundles from
 * tfjs-core's files). CommonJS with no imports, so both can load it: `tf` and `lib` (for
 * gradientPenalty) come in as arguments.
 *
 * Every case has batch > 1 and gets a random upstream gradient dy, so a gradient that is
 * right only for dy = 1 or one sample does not pass. Inputs and dy come from one seeded
 * generator per case: both processes draw the same numbers.
 */
'use strict';

/** mulberry32: the same stream in both processes. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(tf, rand, shape, scale = 1) {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const u = Math.max(rand(), 1e-12);
    values[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  }
  return tf.tensor(values, shape);
}

const LEAKY = 0.2;

/**
 * name, input shapes (a trailing non-integer is the scale of that input's normal draw), the
 * function of them; `extra` draws constants after the inputs, handed to f last.
 */
function cases(tf, lib) {
  return [
    {
      name: 'dense: matMul, bias broadcast, leakyRelu',
      inputs: [[4, 5], [5, 3], [3]],
      f: (x, w, b) => tf.leakyRelu(tf.add(tf.matMul(x, w), b), LEAKY),
    },
    {
      name: 'conv2d stride 2 same, relu (Conv2DBackpropFilter/Input)',
      inputs: [
        [2, 6, 6, 2],
        [3, 3, 2, 3],
      ],
      f: (x, k) => tf.relu(tf.conv2d(x, k, 2, 'same')),
    },
    {
      name: 'conv2dTranspose stride 2 (the generator layer)',
      inputs: [
        [3, 3, 3, 3],
        [5, 5, 2, 3],
      ],
      f: (x, k) => tf.tanh(tf.conv2dTranspose(x, k, [3, 6, 6, 2], 2, 'same')),
    },
    {
      name: 'maxPool, avgPool (ops tfjs-core does not export, bundled)',
      inputs: [[2, 4, 4, 3]],
      f: (x) => tf.add(tf.maxPool(x, 2, 2, 'valid'), tf.avgPool(x, 2, 2, 'valid')),
    },
    {
      name: 'maximum, minimum, squaredDifference broadcast [3,4,5] with [4,1] (project overrides)',
      inputs: [
        [3, 4, 5],
        [4, 1],
      ],
      f: (a, b) => tf.add(tf.add(tf.maximum(a, b), tf.minimum(a, tf.mul(b, 0.5))), tf.squaredDifference(a, b)),
    },
    {
      name: 'batchMatMul, second operand transposed (project override)',
      inputs: [
        [2, 3, 4],
        [2, 5, 4],
      ],
      f: (a, b) => tf.matMul(a, b, false, true),
    },
    {
      name: 'softmax, logSoftmax, sigmoid, softplus, elu',
      inputs: [[3, 6]],
      f: (x) => tf.addN([tf.softmax(x), tf.logSoftmax(x), tf.sigmoid(x), tf.softplus(x), tf.elu(x)]),
    },
    {
      name: 'layer norm: mean, squaredDifference, rsqrt over the last axis',
      inputs: [[4, 6], [6], [6]],
      f: (x, gain, bias) => {
        const mean = tf.mean(x, -1, true);
        const variance = tf.mean(tf.squaredDifference(x, mean), -1, true);
        return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), gain), bias);
      },
    },
    {
      name: 'reshape, transpose, concat, slice, stridedSlice, tile, depthToSpace',
      inputs: [[2, 2, 2, 4]],
      f: (x) => {
        const moved = tf.depthToSpace(x, 2, 'NHWC'); // [2, 4, 4, 1]
        const t = tf.transpose(tf.reshape(moved, [2, 4, 4]), [0, 2, 1]);
        const joined = tf.concat([t, tf.slice(t, [0, 1, 0], [2, 2, 4])], 1); // [2, 6, 4]
        return tf.mul(tf.tile(tf.stridedSlice(joined, [0, 0, 1], [2, 6, 4], [1, 2, 1]), [1, 1, 2]), 1.5);
      },
    },
    {
      // Not prod: tfjs-core's Prod gradient calls chained ops (x.reshape), which neither path
      // registers (tfjs-core/dist/public/chained_ops); it fails alike in both.
      name: 'sum, max, mean, exp, log, sqrt, abs, clipByValue',
      inputs: [[3, 4]],
      f: (x) => {
        const pos = tf.add(tf.abs(x), 0.5);
        return tf.addN([
          tf.sum(tf.exp(tf.mul(x, 0.3)), 1),
          tf.max(x, 1),
          tf.mean(tf.square(tf.clipByValue(x, -1, 1)), 1),
          tf.sum(tf.mul(tf.log(pos), tf.sqrt(pos)), 1),
        ]);
      },
    },
    {
      // By the weights only: the input gradient does not depend on the biases (the dense one
      // not at all, the conv one only through LeakyReLU's piecewise-constant slope).
      name: 'WGAN-GP penalty, second order (gradientPenalty of a conv critic, by its weights)',
      inputs: [
        [3, 3, 1, 2, 0.3],
        [32, 1, 0.2],
      ],
      extra: (rand) => ({
        real: normal(tf, rand, [3, 8, 8, 1]),
        fake: normal(tf, rand, [3, 8, 8, 1]),
        kb: normal(tf, rand, [2], 0.1),
        wb: normal(tf, rand, [1], 0.1),
      }),
      f: (k, w, extra) => {
        const critic = (x) => {
          const h = tf.leakyRelu(tf.add(tf.conv2d(x, k, 2, 'same'), extra.kb), LEAKY); // [3, 4, 4, 2]
          return tf.add(tf.matMul(tf.reshape(h, [h.shape[0], -1]), w), extra.wb);
        };
        return lib.gradientPenalty(critic, extra.real, extra.fake, 5);
      },
    },
  ];
}

/** Each case's gradients with respect to every input, as plain arrays. */
function runParity(tf, lib) {
  return cases(tf, lib).map((c, i) => {
    const rand = seeded(1000 + i);
    const xs = c.inputs.map((spec) => {
      const shape = spec.length > 0 && !Number.isInteger(spec[spec.length - 1]) ? spec.slice(0, -1) : spec;
      const scale = shape === spec ? 1 : spec[spec.length - 1];
      return normal(tf, rand, shape, scale);
    });
    const extra = c.extra ? c.extra(rand) : undefined;
    const f = (...args) => c.f(...args, extra);
    const y = f(...xs);
    const dy = normal(tf, rand, y.shape);
    const grads = tf.grads(f)(xs, dy);
    return {
      name: c.name,
      output: Array.from(y.dataSync()),
      gradients: grads.map((g) => ({ shape: g.shape, values: Array.from(g.dataSync()) })),
    };
  });
}

module.exports = { runParity };
