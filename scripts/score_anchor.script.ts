/**
 * Scores bench/mnist_anchor.py's PyTorch reference runs with the project's classifier, the
 * measure in the model cards, one JSON line per snapshot step:
 *   DIR=runs/anchor NAMES=mnist-d32,fashion-d16 npx vitest run --config scripts/vitest.config.ts scripts/score_anchor.script.ts
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { it } from 'vitest';
import '../src/index';
import { initBackend } from '../src/backend/init';
import { classifierFromContents } from '../src/io/classifier_file';
import { classifierQuality } from '../src/metrics/classifier_quality';
import { disposeParams } from '../src/nn/params';
import { loadClassifierDir } from '../src/node/classifier_files';
import { loadMnist, type MnistSet } from '../src/node/mnist';

const SIDE = 28;
const DIR = process.env.DIR ?? 'runs/anchor';
const NAMES = (process.env.NAMES ?? '').split(',').filter(Boolean);

it('scores the PyTorch reference runs', async () => {
  await initBackend({ backend: 'wasm' });
  for (const name of NAMES) {
    const meta = JSON.parse(await readFile(`${DIR}/${name}.json`, 'utf8')) as {
      set: MnistSet;
      steps: number[];
      samples: number;
    };
    const bytes = gunzipSync(await readFile(`${DIR}/${name}.u8.gz`));
    const size = meta.samples * SIDE * SIDE;
    if (bytes.length !== meta.steps.length * size)
      throw new Error(`${name}: ${bytes.length} bytes for ${meta.steps.length} snapshots of ${meta.samples}`);
    const classifier = classifierFromContents(await loadClassifierDir(`models/classifiers/${meta.set}`), meta.set);
    const real = await loadMnist('test', { set: meta.set });
    for (const [i, step] of meta.steps.entries()) {
      const data = new Uint8Array(bytes.buffer, bytes.byteOffset + i * size, size);
      const q = await classifierQuality(classifier, { data, shape: [meta.samples, SIDE, SIDE, 1] }, real, { seed: 1 });
      console.log(
        JSON.stringify({
          name,
          step,
          confidentShare: q.confidentShare,
          realConfidentShare: q.realConfidentShare,
          frechet: +q.frechet.toFixed(2),
          baseline: +q.frechetRealBaseline.toFixed(2),
          minClassShare: Math.min(...q.classShares),
        }),
      );
    }
    disposeParams(classifier);
  }
});
