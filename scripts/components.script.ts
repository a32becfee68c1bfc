/**
 * What each component of a latent-mixture generator draws (arch.latentComponents): per
 * component, the classifier's confident share and the share of each class among its samples.
 *   MODEL=checkpoints/mnist N=4096 npx vitest run --config scripts/vitest.config.ts scripts/components.script.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import '../src/index';
import { initBackend } from '../src/backend/init';
import { classifierFromContents } from '../src/io/classifier_file';
import { generatorFromModel } from '../src/io/networks';
import { loadModelDir } from '../src/io/node_files';
import { classifierOutputs, CONFIDENT_PROBABILITY, predictedClasses } from '../src/metrics/classifier_quality';
import { CLASSIFIER_CLASSES } from '../src/models/classifier';
import { componentOf } from '../src/models/latent_mixture';
import { disposeParams } from '../src/nn/params';
import { loadClassifierDir } from '../src/node/classifier_files';
import { seededLatents } from '../src/sample/latent_paths';

const MODEL = process.env.MODEL ?? 'models/mnist';
const N = Number(process.env.N ?? 4096);
const TRUNCATION = process.env.TRUNCATION ? Number(process.env.TRUNCATION) : undefined;

it('what each component draws', async () => {
  await initBackend({ backend: 'wasm' });
  const model = await loadModelDir(MODEL);
  const generator = generatorFromModel(model, MODEL);
  const { latentDim, latentComponents: components } = generator.config;
  if (components == null) throw new Error(`${MODEL}: its generator reads one Gaussian, not a mixture`);
  const z = await seededLatents(N, latentDim, 3, TRUNCATION);
  const x = tf.tidy(() => generator.apply(generator.params, tf.tensor2d(z, [N, latentDim])));
  const classifier = classifierFromContents(await loadClassifierDir('models/classifiers/mnist'), 'mnist');
  const { probabilities } = await classifierOutputs(classifier, x);
  const predicted = predictedClasses(probabilities);
  const rows = Array.from({ length: components }, () => ({
    n: 0,
    confident: 0,
    classes: new Array<number>(CLASSIFIER_CLASSES).fill(0),
  }));
  for (const [i, top] of predicted.entries()) {
    const row = rows[componentOf(z.subarray(i * latentDim), components)];
    row.n++;
    row.classes[top]++;
    if (probabilities[i * CLASSIFIER_CLASSES + top] > CONFIDENT_PROBABILITY) row.confident++;
  }
  for (const [k, r] of rows.entries()) {
    const shares = r.classes
      .map((c, d) => [d, c / r.n])
      .filter(([, s]) => s >= 0.05)
      .sort((a, b) => b[1] - a[1]);
    console.log(
      `component ${k}: ${r.n} samples, ${((100 * r.confident) / r.n).toFixed(1)}% confident; classes ${shares.map(([d, s]) => `${d} ${(100 * s).toFixed(0)}%`).join(', ')}`,
    );
  }
  x.dispose();
  disposeParams(classifier);
  disposeParams(generator.params);
});
