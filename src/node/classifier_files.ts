/** The project's classifier as a folder on a Node file system (classifier.json + classifier.bin). */
import { join } from 'node:path';
import {
  CLASSIFIER_FORMAT,
  CLASSIFIER_JSON,
  decodeClassifier,
  encodeClassifier,
  type ClassifierContents,
} from '../io/classifier_file';
import { ModelFormatError, type WeightStorage } from '../io/format';
import { folderReader, writeDirAtomically } from '../io/node_files';

const CLASSIFIER_FOLDER = { manifest: CLASSIFIER_JSON, format: CLASSIFIER_FORMAT };

/** Writes the folder atomically (a failed save leaves the old folder intact), under the output rule of node_files.ts. */
export async function saveClassifierDir(
  dir: string,
  contents: ClassifierContents,
  storage: WeightStorage = 'float32',
): Promise<void> {
  const { json, files } = await encodeClassifier(contents, storage);
  await writeDirAtomically(
    dir,
    { [CLASSIFIER_JSON]: new TextEncoder().encode(JSON.stringify(json, null, 2) + '\n'), ...files },
    CLASSIFIER_FOLDER,
  );
}

export async function loadClassifierDir(dir: string): Promise<ClassifierContents> {
  const file = join(dir, CLASSIFIER_JSON);
  const read = folderReader(dir);
  const bytes = await read(CLASSIFIER_JSON);
  if (bytes == null)
    throw new ModelFormatError(
      `${file}: not found (is '${dir}' a wgan-edge classifier folder?).`,
      'missing-file',
      file,
    );
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ModelFormatError(`${file}: is not valid JSON (${(e as Error).message}).`, 'not-a-model', file);
  }
  return decodeClassifier(json, read, dir);
}
