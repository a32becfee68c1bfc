/** `--model DIR|<shipped name>`: a model folder, or one of the models shipped in models/. */
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './errors';

/** models/ of this package: found from this file, in src/cli (tests) or dist (the CLI). */
async function shippedModelsDir(): Promise<string | null> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (await isDir(join(dir, 'models'))) return join(dir, 'models');
    dir = dirname(dir);
  }
  return null;
}

/** A folder shipped under models/ (e.g. 'classifiers/mnist'); an error if it is missing. */
export async function shippedFolder(relative: string): Promise<string> {
  const shipped = await shippedModelsDir();
  if (shipped == null || !(await isDir(join(shipped, relative)))) throw new Error(`models/${relative} is missing from this installation.`);
  return join(shipped, relative);
}

export async function resolveModel(spec: string): Promise<string> {
  if (await isDir(spec)) return spec;
  const shipped = await shippedModelsDir();
  if (shipped != null && /^[\w-]+$/.test(spec) && (await isDir(join(shipped, spec)))) return join(shipped, spec);
  const names = shipped == null ? [] : (await readdir(shipped, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  throw new UsageError(`--model ${spec}: no such model folder${names.length ? `, and no shipped model of that name (shipped: ${names.join(', ')})` : ''}.`);
}

const isDir = (path: string) => stat(path).then((s) => s.isDirectory(), () => false);
