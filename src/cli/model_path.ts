/** `--model DIR|<shipped name>`: a model folder, or one of the models shipped in models/ (src/node/shipped.ts). */
import { stat } from 'node:fs/promises';
import { findShippedModel, shippedModelNames } from '../node/shipped';
import { UsageError } from './errors';

export { shippedFolder } from '../node/shipped';

export async function resolveModel(spec: string): Promise<string> {
  if (await isDir(spec)) return spec;
  const shipped = await findShippedModel(spec);
  if (shipped != null) return shipped;
  const names = await shippedModelNames();
  throw new UsageError(
    `--model ${spec}: no such model folder${names.length ? `, and no shipped model of that name (shipped: ${names.join(', ')})` : ''}.`,
  );
}

const isDir = (path: string) =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
