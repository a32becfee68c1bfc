/** `wgan-edge sample`: seeded samples of a model folder or shipped model, as .json, .npy or .png. */
import { rename, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { initBackend } from '../backend/init';
import { loadModelDir } from '../io/node_files';
import { generatorFromModel } from '../io/networks';
import { encodeNpy } from '../io/npy';
import { disposeParams } from '../nn/params';
import { sampleGenerator } from '../sample/generate';
import { toUint8 } from '../sample/png';
import { renderSamples } from '../sample/render';
import { backendOptions, intOption, parse, truncationOption } from './args';
import { UsageError } from './errors';
import { resolveModel } from './model_path';

const OUTPUTS = ['.json', '.npy', '.png'];

export async function sample(argv: string[]): Promise<void> {
  const args = parse(argv, {
    model: { type: 'string' },
    n: { type: 'string', default: '64' },
    seed: { type: 'string', default: '0' },
    truncation: { type: 'string' },
    out: { type: 'string' },
  });
  if (args.model == null) throw new UsageError('sample needs --model DIR or the name of a shipped model.');
  if (args.out == null) throw new UsageError(`sample needs --out FILE ending in ${OUTPUTS.join(', ')}.`);
  const out = String(args.out);
  const format = extname(out).toLowerCase();
  if (!OUTPUTS.includes(format)) throw new UsageError(`--out ${out}: the file must end in ${OUTPUTS.join(', ')}.`);
  const n = intOption('n', args.n, 1, 100000)!;
  const seed = intOption('seed', args.seed, 0, 2 ** 32 - 1)!;
  const truncation = truncationOption(args);
  const dir = await resolveModel(String(args.model));

  const model = await loadModelDir(dir);
  await initBackend(backendOptions(args));
  const generator = generatorFromModel(model, dir);
  let values: Float32Array<ArrayBuffer>;
  let shape: number[];
  try {
    ({ values, shape } = await sampleGenerator(generator, { n, seed, truncation, format: 'float32' }));
  } finally {
    disposeParams(generator.params);
  }

  const isImage = model.outputShape.length === 3;
  let bytes: Uint8Array;
  if (format === '.json') {
    const rows = Array.from({ length: n }, (_, i) => Array.from(values.subarray((i * values.length) / n, ((i + 1) * values.length) / n)));
    bytes = new TextEncoder().encode(JSON.stringify(isImage ? { shape, samples: rows } : { samples: rows }) + '\n');
  } else if (format === '.npy') {
    bytes = isImage ? encodeNpy(toUint8(values, generator.config.outputRange!), shape) : encodeNpy(values, shape);
  } else {
    bytes = (renderSamples(values, shape, generator.config.outputRange, 'png') as { png: Uint8Array }).png;
  }
  // Written beside the target and renamed: a failed write leaves an existing file whole.
  const partial = `${out}.partial-${process.pid}`;
  await writeFile(partial, bytes);
  await rename(partial, out);
  process.stderr.write(`wrote ${n} samples of ${dir} to ${out}\n`);
}
