/**
 * The project's class-conditional critic (createCritic with architecture.labels: a dcgan28
 * body, a dense head and the projection <embed(y), h>) against central finite differences:
 * its score's first and second order in the image and every weight, and the gradient with
 * respect to its weights of the WGAN-GP penalty (src/losses/penalty.ts), taken with respect to
 * the image with the labels held fixed. Batch 3, two samples of one label (their gradients meet
 * in one embedding row), random upstream gradients (the checker's random weights).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/index';
import { gradientPenalty, interpolate } from '../../src/losses/penalty';
import { createCritic } from '../../src/models';
import { archConfig } from '../../src/models/config';
import { conv } from '../../src/nn/layers';
import type { ParamTensors } from '../../src/nn/params';
import { checkGradients, randomNormal, seededRandom } from '../helpers/gradcheck';

const LABELS = 4;
const BATCH_LABELS = [2, 0, 2];
const ARCH = archConfig('dcgan28', { dim: 2, latentDim: 8, labels: LABELS });
const LEAKY_SLOPE = 0.2;
const GP_LAMBDA = 10;
const PENALTY_SEED = 5;
/** Small, so that few finite-difference steps cross a LeakyReLU kink (those are skipped). */
const FD_STEP = 1e-3;

describe.each(['cpu', 'wasm'] as const)('the conditional (projection) critic on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  /** The critic, its weight names in a fixed order, and a score function of (image, ...weights). */
  function setUp() {
    const critic = createCritic(ARCH, 3);
    const names = Object.keys(critic.params);
    const labels = tf.tensor1d(BATCH_LABELS, 'int32');
    const asParams = (weights: tf.Tensor[]): ParamTensors =>
      Object.fromEntries(names.map((name, i) => [name, weights[i]]));
    const score = (x: tf.Tensor, weights: tf.Tensor[]) => critic.apply(asParams(weights), x, labels);
    // LeakyReLU keeps the sign of its input: the signs of the three conv outputs pick the linear piece.
    const pieces = (x: tf.Tensor, weights: tf.Tensor[]) => {
      const p = asParams(weights);
      const h1 = tf.leakyRelu(conv(p, 'conv1', x as tf.Tensor4D, 2), LEAKY_SLOPE);
      const h2 = tf.leakyRelu(conv(p, 'conv2', h1, 2), LEAKY_SLOPE);
      return tf.concat([h1, h2, conv(p, 'conv3', h2, 2)].map((h) => tf.reshape(h, [-1])));
    };
    const dispose = () => {
      labels.dispose();
      Object.values(critic.params).forEach((v) => v.dispose());
    };
    return { critic, names, labels, score, pieces, dispose };
  }

  it('names a projection weight [labels, features] beside its dense head', () => {
    const { critic, dispose } = setUp();
    expect(critic.params['projection/kernel'].shape).toEqual([LABELS, 4 * 4 * 4 * ARCH.dim]);
    expect(critic.params['output/kernel'].shape).toEqual([4 * 4 * 4 * ARCH.dim, 1]);
    dispose();
  });

  it('score: first and second order in the image and every weight match finite differences', async () => {
    const { critic, names, score, pieces, dispose } = setUp();
    const before = tf.memory().numTensors;
    const reports = await checkGradients(
      {
        name: 'conditional critic score',
        kernels: ['Conv2D', 'LeakyRelu', 'BatchMatMul', 'Multiply', 'Sum', 'OneHot'],
        inputs: (rand) => [
          tf.tidy(() => tf.mul(randomNormal(rand, [BATCH_LABELS.length, ...ARCH.outputShape]), 0.5)),
          ...names.map((n) => tf.clone(critic.params[n])),
        ],
        f: (x, ...weights) => score(x, weights),
        pieces: (x, ...weights) => pieces(x, weights),
        step: FD_STEP,
      },
      { order: 2, seed: 17, maxCoordinates: 6 },
    );
    for (const report of reports) {
      expect(report.mismatches, `order ${report.order}`).toEqual([]);
      expect(report.checked).toBeGreaterThanOrEqual(40);
      expect(report.skipped).toBeLessThan(report.checked / 4);
    }
    expect(tf.memory().numTensors).toBe(before);
    dispose();
  });

  it('penalty: d/d(weights) of lambda * mean((||dD(x, y)/dx|| - 1)^2), labels fixed, matches finite differences', async () => {
    const { names, critic, score, pieces, dispose } = setUp();
    const xhat = tf.tidy(() => tf.mul(randomNormal(seededRandom(7), [BATCH_LABELS.length, ...ARCH.outputShape]), 0.5));
    // The penalty of the interpolates of (xhat, 0.3 xhat): the project's own interpolation and norm.
    const fake = tf.mul(xhat, 0.3);
    const points = interpolate(xhat, fake, PENALTY_SEED);
    const before = tf.memory().numTensors;
    const [report] = await checkGradients(
      {
        name: 'conditional critic gradient penalty',
        kernels: ['Conv2D', 'LeakyRelu', 'BatchMatMul', 'Multiply'],
        inputs: () => names.map((n) => tf.clone(critic.params[n])),
        f: (...weights) =>
          tf.mul(
            gradientPenalty((x) => score(x, weights), xhat, fake, PENALTY_SEED),
            GP_LAMBDA,
          ),
        // The penalty reads the critic's gradient at the interpolates: their pieces are the ones that count.
        pieces: (...weights) => pieces(points, weights),
        step: FD_STEP,
      },
      { order: 1, seed: 11, maxCoordinates: 8 },
    );
    expect(report.mismatches).toEqual([]);
    expect(report.checked).toBeGreaterThanOrEqual(40);
    // The projection's weight gets a penalty gradient only in the rows of the batch's labels.
    const at = names.indexOf('projection/kernel');
    const weights = names.map((n) => critic.params[n] as tf.Tensor);
    const withEmbed = (embed: tf.Tensor) => weights.map((w, i) => (i === at ? embed : w));
    const embedGrad = tf.grad((embed: tf.Tensor) =>
      gradientPenalty((x) => score(x, withEmbed(embed)), xhat, fake, PENALTY_SEED),
    )(weights[at]);
    const rows = (await embedGrad.array()) as number[][];
    const rowNorms = rows.map((row) => Math.hypot(...row));
    for (let label = 0; label < LABELS; label++) {
      if (BATCH_LABELS.includes(label)) expect(rowNorms[label]).toBeGreaterThan(0);
      else expect(rowNorms[label]).toBe(0);
    }
    embedGrad.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xhat, fake, points]);
    dispose();
  });

  it('projection: scores of one image under two labels differ by <embed(a) - embed(b), h>, computed in float64', async () => {
    const { critic, dispose } = setUp();
    const x = randomNormal(seededRandom(3), [2, ...ARCH.outputShape]);
    const p = critic.params;
    const scoreAs = (label: number) => tf.tidy(() => critic.apply(p, x, tf.tensor1d([label, label], 'int32')));
    const [a, b] = [await scoreAs(1).array(), await scoreAs(3).array()] as number[][][];
    const h = tf.tidy(() => {
      const h1 = tf.leakyRelu(conv(p, 'conv1', x as tf.Tensor4D, 2), LEAKY_SLOPE);
      const h2 = tf.leakyRelu(conv(p, 'conv2', h1, 2), LEAKY_SLOPE);
      return tf.reshape(tf.leakyRelu(conv(p, 'conv3', h2, 2), LEAKY_SLOPE), [2, -1]);
    });
    const features = (await h.array()) as number[][];
    const embed = (await p['projection/kernel'].array()) as number[][];
    for (let i = 0; i < 2; i++) {
      const expected = features[i].reduce((sum, v, j) => sum + v * (embed[1][j] - embed[3][j]), 0);
      expect(a[i][0] - b[i][0]).toBeCloseTo(expected, 4);
    }
    tf.dispose([x, h]);
    dispose();
  });
});
