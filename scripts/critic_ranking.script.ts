/**
 * Does the critic know which samples are good? Draws N samples of a model, scores each with the
 * model's own critic, and reads the classifier measure of the best-scored fractions.
 *   MODEL=models/mnist N=4096 npx vitest run --config scripts/vitest.config.ts scripts/critic_ranking.script.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import '../src/index';
import { initBackend } from '../src/backend/init';
import { classifierFromContents } from '../src/io/classifier_file';
import { archOf, generatorFromModel } from '../src/io/networks';
import { loadModelDir } from '../src/io/node_files';
import { classifierQuality } from '../src/metrics/classifier_quality';
import { createCritic } from '../src/models';
import { assignParams, disposeParams } from '../src/nn/params';
import { loadClassifierDir } from '../src/node/classifier_files';
import { loadMnist } from '../src/node/mnist';
import { seededLatents } from '../src/sample/latent_paths';

const env = process.env;
const MODEL = env.MODEL ?? 'models/mnist';
const N = Number(env.N ?? 4096);
const BATCH = 256;
const FRACTIONS = [1, 0.9, 0.75, 0.5];

it('critic-ranked samples', async () => {
  await initBackend({ backend: 'wasm' });
  const model = await loadModelDir(MODEL);
  const generator = generatorFromModel(model, MODEL);
  const critic = createCritic(archOf(model, MODEL), 0);
  assignParams(critic.params, model.critic!, 'critic');
  const size = 28 * 28;
  const samples = new Float32Array(N * size);
  const scores = new Float32Array(N);
  const z = await seededLatents(N, generator.config.latentDim, 1);
  for (let start = 0; start < N; start += BATCH) {
    const count = Math.min(BATCH, N - start);
    const [x, s] = tf.tidy(() => {
      const x = generator.apply(
        generator.params,
        tf.tensor2d(z.subarray(start * 128, (start + count) * 128), [count, 128]),
      );
      return [x, tf.reshape(critic.apply(critic.params, x), [count])];
    });
    samples.set(await x.data(), start * size);
    scores.set(await s.data(), start);
    tf.dispose([x, s]);
  }
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
  const classifier = classifierFromContents(await loadClassifierDir('models/classifiers/mnist'), 'mnist');
  const real = await loadMnist('test');
  for (const fraction of FRACTIONS) {
    const kept = order.slice(0, Math.round(N * fraction));
    const chosen = new Float32Array(kept.length * size);
    kept.forEach((k, i) => chosen.set(samples.subarray(k * size, (k + 1) * size), i * size));
    const q = await classifierQuality(classifier, chosen, real, { seed: 1 });
    console.log(
      JSON.stringify({
        fraction,
        n: kept.length,
        confidentShare: q.confidentShare,
        minClass: Math.min(...q.classShares),
        frechet: q.frechet,
        baseline: q.frechetRealBaseline,
      }),
    );
  }
  disposeParams(classifier);
  disposeParams(generator.params);
  disposeParams(critic.params);
});
