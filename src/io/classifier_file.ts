/**
 * The project's classifiers (MNIST's, the emoji categories') on disk: `classifier.json`
 * (architecture, provenance and one weights-manifest group) beside `classifier.bin`, in the
 * shard layout of model folders.
 * Storage-agnostic like codec.ts; src/node/classifier_files.ts reads and writes folders.
 */
import { CLASSIFIER_ARCHS, classifierParams, MNIST_CLASSIFIER, type ClassifierArch } from '../models/classifier';
import { assignParams, disposeParams, type Params } from '../nn/params';
import { checkWeightGroup, decodeWeightGroup, encodeWeightGroup, type ShardReader } from './codec';
import { ModelFormatError, type NamedArrays, type Provenance, type WeightGroup, type WeightStorage } from './format';

export const CLASSIFIER_FORMAT = 'wgan-edge/classifier';
export const CLASSIFIER_FORMAT_VERSION = 1;
export const CLASSIFIER_JSON = 'classifier.json';
export interface ClassifierJson {
  format: typeof CLASSIFIER_FORMAT;
  formatVersion: number;
  /** One of the architectures classifierParams builds (CLASSIFIER_ARCHS), so a file for another net is refused. */
  architecture: ClassifierArch;
  /** Training facts, test accuracy among them. */
  provenance: Provenance;
  weightsManifest: [WeightGroup];
}

export interface ClassifierContents {
  /** Which classifier (default: MNIST's). */
  architecture?: ClassifierArch;
  provenance: Provenance;
  weights: NamedArrays;
}

export async function encodeClassifier(
  contents: ClassifierContents,
  storage: WeightStorage = 'float32',
): Promise<{ json: ClassifierJson; files: Record<string, Uint8Array> }> {
  const { group, bytes } = await encodeWeightGroup('classifier', contents.weights, storage);
  const json: ClassifierJson = {
    format: CLASSIFIER_FORMAT,
    formatVersion: CLASSIFIER_FORMAT_VERSION,
    architecture: contents.architecture ?? MNIST_CLASSIFIER,
    provenance: contents.provenance,
    weightsManifest: [group],
  };
  return { json, files: { [group.paths[0]]: bytes } };
}

/** Checks `classifier.json`, reads and checksums its shard; `source` prefixes file names in errors. */
export async function decodeClassifier(
  json: unknown,
  readShard: ShardReader,
  source = '',
): Promise<ClassifierContents> {
  const where = (file: string) => (source ? `${source.replace(/\/$/, '')}/${file}` : file);
  const file = where(CLASSIFIER_JSON);
  const fail = (why: string, code: 'not-a-model' | 'dtype' | 'unsupported-version' = 'not-a-model'): never => {
    throw new ModelFormatError(`${file}: ${why}`, code, file);
  };
  if (typeof json !== 'object' || json == null) fail('is not a JSON object.');
  const c = json as Partial<ClassifierJson>;
  if (c.format !== CLASSIFIER_FORMAT)
    fail(`is not a wgan-edge classifier (format is ${JSON.stringify(c.format)}, expected "${CLASSIFIER_FORMAT}").`);
  if (c.formatVersion !== CLASSIFIER_FORMAT_VERSION) {
    fail(
      `has format version ${JSON.stringify(c.formatVersion)}; this wgan-edge reads version ${CLASSIFIER_FORMAT_VERSION}.`,
      'unsupported-version',
    );
  }
  const architecture = CLASSIFIER_ARCHS.find((a) => JSON.stringify(a) === JSON.stringify(c.architecture));
  if (architecture == null) {
    fail(
      `describes architecture ${JSON.stringify(c.architecture)}; this wgan-edge builds ${CLASSIFIER_ARCHS.map((a) => JSON.stringify(a)).join(' or ')}.`,
    );
  }
  const groups = c.weightsManifest;
  if (!Array.isArray(groups) || groups.length !== 1 || groups[0]?.network !== 'classifier') {
    fail('needs a weightsManifest of exactly one "classifier" group.');
  }
  const group = (groups as WeightGroup[])[0];
  checkWeightGroup(group, fail);
  const weights = await decodeWeightGroup(group, readShard, where, CLASSIFIER_JSON);
  return { architecture, provenance: c.provenance ?? {}, weights };
}

/** Fresh variables holding a decoded classifier's weights; throws naming `source` on a mismatch. */
export function classifierFromContents(contents: ClassifierContents, source: string): Params {
  const params = classifierParams(0, contents.architecture ?? MNIST_CLASSIFIER);
  try {
    assignParams(params, contents.weights, `${source}: classifier weights`);
  } catch (e) {
    disposeParams(params);
    throw new ModelFormatError((e as Error).message, 'shape', source);
  }
  return params;
}
