/** `wgan-edge eval`: quality of a 2-D model against its toy data set, as JSON. */
import { initBackend } from '../backend/init';
import { TOY_NAMES, toyDataset, toyMixture, type MixtureName, type ToyName } from '../data/toy';
import { loadModelDir } from '../io/node_files';
import { generatorFromModel } from '../io/networks';
import { generatorModeCoverage } from '../metrics/modes';
import { generatorW1 } from '../metrics/wasserstein';
import { disposeParams } from '../nn/params';
import { backendOption, intOption, parse } from './args';
import { UsageError } from './errors';
import { resolveModel } from './model_path';

/** Samples for mode coverage, and for the exact (assignment) W1 estimate. */
const DEFAULT_SAMPLES = 2048;
const W1_SAMPLES = 512;

export async function evaluate(argv: string[]): Promise<void> {
  const args = parse(argv, { model: { type: 'string' }, data: { type: 'string' }, n: { type: 'string' }, seed: { type: 'string', default: '1' } });
  if (args.model == null) throw new UsageError('eval needs --model DIR.');
  if (!TOY_NAMES.includes(args.data as ToyName)) throw new UsageError(`eval needs --data ${TOY_NAMES.join('|')} (got '${String(args.data)}').`);
  const name = args.data as ToyName;
  const n = intOption('n', args.n, 16, 1e6) ?? DEFAULT_SAMPLES;
  const seed = intOption('seed', args.seed, 0, 2 ** 32 - 1)!;
  const dir = await resolveModel(String(args.model));
  const model = await loadModelDir(dir);
  if (model.outputShape.join() !== '2') throw new UsageError(`${dir} makes [${model.outputShape}] samples; eval measures 2-D models.`);
  const report = await initBackend({ backend: backendOption(args.backend) });
  const generator = generatorFromModel(model, dir);
  try {
    const result: Record<string, unknown> = { model: dir, data: name, backend: report.backend, samples: n };
    if (name !== 'swissroll') {
      const mixture = toyMixture(name as MixtureName);
      const coverage = await generatorModeCoverage(generator, mixture, n, seed);
      Object.assign(result, { modes: coverage.modesCovered, modeCount: mixture.centres.length, highQualityShare: coverage.highQualityShare });
    }
    result.w1 = await generatorW1(generator, toyDataset(name), W1_SAMPLES, seed);
    result.w1Samples = W1_SAMPLES;
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    disposeParams(generator.params);
  }
}
