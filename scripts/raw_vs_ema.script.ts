/**
 * The raw generator against its moving average (EMA) in a training run folder, by the
 * project's classifier measure: which one a model should ship.
 *   RUN=checkpoints/mnist SET=mnist N=1024 npx vitest run --config scripts/vitest.config.ts scripts/raw_vs_ema.script.ts
 */
import { it } from 'vitest';
import '../src/index';
import { initBackend } from '../src/backend/init';
import { classifierFromContents } from '../src/io/classifier_file';
import { loadStateDir } from '../src/io/state_file';
import { generatorClassifierQuality } from '../src/metrics/classifier_quality';
import { disposeParams } from '../src/nn/params';
import { loadClassifierDir } from '../src/node/classifier_files';
import { loadMnist, mnistDataset, type MnistSet } from '../src/node/mnist';
import type { TrainerState } from '../src/train/state';
import { Trainer } from '../src/train/trainer';

const env = process.env;
const RUN = env.RUN ?? 'checkpoints/mnist';
const SET = (env.SET ?? 'mnist') as MnistSet;
const N = Number(env.N ?? 1024);

it('raw vs EMA generator', async () => {
  await initBackend({ backend: 'wasm' });
  const { trainer: state } = (await loadStateDir(`${RUN}/checkpoint`)) as { trainer: TrainerState };
  const trainer = Trainer.fromState(state, await mnistDataset([0, 1], 'test', { set: SET, limit: 16 }));
  const classifier = classifierFromContents(await loadClassifierDir(`models/classifiers/${SET}`), SET);
  const real = await loadMnist('test', { set: SET });
  for (const [name, generator] of [
    ['raw', trainer.generator],
    ['ema', trainer.emaGenerator],
  ] as const) {
    if (generator == null) continue;
    const q = await generatorClassifierQuality(generator, classifier, real, N, 1);
    console.log(
      JSON.stringify({
        step: trainer.step,
        generator: name,
        confidentShare: q.confidentShare,
        frechet: q.frechet,
        baseline: q.frechetRealBaseline,
        minClassShare: Math.min(...q.classShares),
      }),
    );
  }
  disposeParams(classifier);
  trainer.dispose();
});
