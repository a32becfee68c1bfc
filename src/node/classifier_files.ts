/** The project's classifier as a folder on a Node file system (classifier.json + classifier.bin). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLASSIFIER_JSON, decodeClassifier, encodeClassifier, type ClassifierContents } from '../io/classifier_file';
import { ModelFormatError, type WeightStorage } from '../io/format';
import { writeDirAtomically } from '../io/node_files';

/** Writes the folder atomically (a failed save leaves the old folder intact). */
export async function saveClassifierDir(dir: string, contents: ClassifierContents, storage: WeightStorage = 'float32'): Promise<void> {
  const { json, files } = await encodeClassifier(contents, storage);
  await writeDirAtomically(dir, { [CLASSIFIER_JSON]: new TextEncoder().encode(JSON.stringify(json, null, 2) + '\n'), ...files });
}

export async function loadClassifierDir(dir: string): Promise<ClassifierContents> {
  const file = join(dir, CLASSIFIER_JSON);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new ModelFormatError(`${file}: not found (is '${dir}' a wgan-edge classifier folder?).`, 'missing-file', file);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(`${file}: is not valid JSON (${(e as Error).message}).`, 'not-a-model', file);
  }
  return decodeClassifier(json, async (path) => new Uint8Array(await readFile(join(dir, path))), dir);
}
