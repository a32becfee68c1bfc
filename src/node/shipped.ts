/**
 * The models shipped in this package's models/ folder (one folder each, e.g. models/8gaussians),
 * for Node: the library (loadShippedModel) and the CLI (`--model <name>`) look them up here.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelContents } from '../io/codec';
import { loadModelDir } from '../io/node_files';
import { ModelStorageError } from '../io/storage_files';

/** A shipped model's name: one folder name, no path. */
const NAME = /^[\w-]+$/;

/**
 * This package's folder: the nearest above this module's own file that holds a package.json
 * (from src/node in the repository, tests; from dist/ once bundled, the CLI and the Node
 * library); null where there is none.
 */
export async function packageDir(): Promise<string | null> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (await isFile(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return null;
}

/** models/ of this package, null where it is missing. Not the first models/ folder above: that would be src/models. */
export async function shippedModelsDir(): Promise<string | null> {
  const root = await packageDir();
  return root != null && (await isDir(join(root, 'models'))) ? join(root, 'models') : null;
}

/** The names of the shipped generator models (folders of models/ that hold a model.json), sorted. */
export async function shippedModelNames(): Promise<string[]> {
  const shipped = await shippedModelsDir();
  if (shipped == null) return [];
  const folders = (await readdir(shipped, { withFileTypes: true })).filter((d) => d.isDirectory() && NAME.test(d.name));
  const models = await Promise.all(
    folders.map(async (d) => ((await isFile(join(shipped, d.name, 'model.json'))) ? d.name : null)),
  );
  return models.filter((name): name is string => name != null).sort();
}

/** The folder of shipped model `name`, or null if there is none of that name. */
export async function findShippedModel(name: string): Promise<string | null> {
  if (typeof name !== 'string' || !NAME.test(name)) return null;
  const shipped = await shippedModelsDir();
  if (shipped == null || !(await isFile(join(shipped, name, 'model.json')))) return null;
  return join(shipped, name);
}

/** The folder of shipped model `name`; an unknown name fails with a ModelStorageError ('not-found') that lists the shipped names. */
export async function shippedModelDir(name: string): Promise<string> {
  const dir = await findShippedModel(name);
  if (dir != null) return dir;
  const names = await shippedModelNames();
  const shipped =
    names.length > 0 ? `shipped: ${names.join(', ')}` : 'this installation ships none (models/ is missing)';
  throw new ModelStorageError(`no shipped model named ${JSON.stringify(name)} (${shipped})`, 'not-found', String(name));
}

/** Reads shipped model `name` (e.g. '8gaussians'); build its generator with generatorFromModel. */
export async function loadShippedModel(name: string): Promise<ModelContents> {
  return loadModelDir(await shippedModelDir(name));
}

/** A folder shipped under models/ (e.g. 'classifiers/mnist'); an error if it is missing. */
export async function shippedFolder(relative: string): Promise<string> {
  const shipped = await shippedModelsDir();
  if (shipped == null || !(await isDir(join(shipped, relative))))
    throw new Error(`models/${relative} is missing from this installation.`);
  return join(shipped, relative);
}

const isDir = (path: string) =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
