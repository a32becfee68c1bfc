/**
 * What are the samples the classifier is unsure of? For the generated samples (and real test
 * digits) below CONFIDENT_PROBABILITY: the share whose top two classes hold 90% or more (a digit
 * between two digits) against those spread wider (no digit).
 *   MODEL=models/mnist N=4096 npx vitest run --config scripts/vitest.config.ts scripts/unconfident.script.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import '../src/index';
import { initBackend } from '../src/backend/init';
import { classifierFromContents } from '../src/io/classifier_file';
import { generatorFromModel } from '../src/io/networks';
import { loadModelDir } from '../src/io/node_files';
import { classifierOutputs, CONFIDENT_PROBABILITY } from '../src/metrics/classifier_quality';
import { disposeParams } from '../src/nn/params';
import { loadClassifierDir } from '../src/node/classifier_files';
import { loadMnist } from '../src/node/mnist';
import { seededLatents } from '../src/sample/latent_paths';

const MODEL = process.env.MODEL ?? 'models/mnist';
const N = Number(process.env.N ?? 4096);

function unsureSummary(probabilities: Float32Array) {
  const n = probabilities.length / 10;
  let unsure = 0,
    between = 0;
  const pairs = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const row = Array.from(probabilities.subarray(i * 10, i * 10 + 10));
    const order = row.map((p, c) => [p, c]).sort((a, b) => b[0] - a[0]);
    if (order[0][0] > CONFIDENT_PROBABILITY) continue;
    unsure++;
    if (order[0][0] + order[1][0] >= 0.9) {
      between++;
      const key = [order[0][1], order[1][1]].sort().join('/');
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
    }
  }
  const top = [...pairs].sort((a, b) => b[1] - a[1]).slice(0, 6);
  return { n, unsureShare: unsure / n, betweenTwoOfUnsure: between / unsure, topPairs: top };
}

it('unconfident samples', async () => {
  await initBackend({ backend: 'wasm' });
  const model = await loadModelDir(MODEL);
  const generator = generatorFromModel(model, MODEL);
  const latentDim = generator.config.latentDim;
  const z = await seededLatents(N, latentDim, 2);
  const x = tf.tidy(() => generator.apply(generator.params, tf.tensor2d(z, [N, latentDim])));
  const classifier = classifierFromContents(await loadClassifierDir('models/classifiers/mnist'), 'mnist');
  console.log('generated', JSON.stringify(unsureSummary((await classifierOutputs(classifier, x)).probabilities)));
  const real = await loadMnist('test');
  console.log('real', JSON.stringify(unsureSummary((await classifierOutputs(classifier, real)).probabilities)));
  x.dispose();
  disposeParams(classifier);
  disposeParams(generator.params);
});
