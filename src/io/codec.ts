/**
 * Model folders <-> in-memory weights. Storage-agnostic: the storages (file, URL, Cache,
 * IndexedDB) only move the bytes of `model.json` and the shards named in it.
 */
import {
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  MODEL_JSON,
  ModelFormatError,
  type ModelJson,
  type NamedArrays,
  type NetworkKind,
  type Provenance,
  type WeightEntry,
  type WeightGroup,
  type WeightStorage,
} from './format';
import { bytesPerValue, decodeWeight, encodeWeight } from './quantize';
import { sha256Hex } from './sha256';

/** The networks a model folder holds (a classifier file holds the third kind). */
export type NetworkName = Exclude<NetworkKind, 'classifier'>;

export interface ModelContents {
  architecture: Record<string, unknown>;
  latentDim: number;
  outputShape: number[];
  /** The generator's value range, or null when its output is unbounded (2-D points). */
  outputRange: [number, number] | null;
  provenance: Provenance;
  generator: NamedArrays;
  /** The critic travels with the generator so a model can be fine-tuned. */
  critic?: NamedArrays;
}

export interface EncodedModel {
  json: ModelJson;
  /** Shard file name -> bytes. */
  files: Record<string, Uint8Array>;
}

export async function encodeModel(model: ModelContents, storage: WeightStorage = 'float32'): Promise<EncodedModel> {
  const files: Record<string, Uint8Array> = {};
  const weightsManifest: WeightGroup[] = [];
  const networks: [NetworkName, NamedArrays | undefined][] = [
    ['generator', model.generator],
    ['critic', model.critic],
  ];
  for (const [network, arrays] of networks) {
    if (arrays == null) continue;
    const { group, bytes } = await encodeWeightGroup(network, arrays, storage);
    files[group.paths[0]] = bytes;
    weightsManifest.push(group);
  }
  const json: ModelJson = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    architecture: model.architecture,
    latentDim: model.latentDim,
    outputShape: model.outputShape,
    outputRange: model.outputRange,
    provenance: model.provenance,
    weightsManifest,
  };
  return { json, files };
}

/** One network's weights as one shard, `<network>.bin`, and its manifest group. */
export async function encodeWeightGroup(
  network: NetworkKind,
  arrays: NamedArrays,
  storage: WeightStorage,
): Promise<{ group: WeightGroup; bytes: Uint8Array }> {
  const weights: WeightEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const [name, { shape, values }] of Object.entries(arrays)) {
    assertFinite(values, `${network} weight '${name}'`);
    const encoded = encodeWeight(values, storage);
    weights.push({
      name,
      shape,
      dtype: 'float32',
      ...(encoded.quantization && { quantization: encoded.quantization }),
    });
    parts.push(encoded.bytes);
  }
  const path = `${network}.bin`;
  const bytes = concatBytes(parts);
  return { group: { network, paths: [path], sha256: [await sha256Hex(bytes)], weights }, bytes };
}

/**
 * Reads a shard by its manifest path; rejects (or returns null) when it does not exist.
 * `maxBytes` is what the manifest allows: a reader that can see a file's size first (Node)
 * refuses a larger one with a ModelFormatError before reading it.
 */
export type ShardReader = (path: string, maxBytes: number) => Promise<Uint8Array | null>;

/** Every network a model folder can hold; a sampling load reads the generator alone. */
export const ALL_NETWORKS: readonly NetworkName[] = ['generator', 'critic'];

/**
 * Parses and checks `model.json`, then reads, checksums and decodes the shards of `networks`
 * (the others are not read at all). `source` (a folder or URL) prefixes file names in errors.
 * Nothing is returned unless all is valid.
 */
export async function decodeModel(
  json: unknown,
  readShard: ShardReader,
  source = '',
  networks: readonly NetworkName[] = ALL_NETWORKS,
): Promise<ModelContents> {
  const where = (file: string) => (source ? `${source.replace(/\/$/, '')}/${file}` : file);
  const manifest = checkModelJson(json, where(MODEL_JSON));
  const decoded: Partial<Record<NetworkName, NamedArrays>> = {};
  for (const group of manifest.weightsManifest) {
    if (networks.includes(group.network as NetworkName))
      decoded[group.network as NetworkName] = await decodeWeightGroup(group, readShard, where);
  }
  if (decoded.generator == null) {
    throw new ModelFormatError(`${where(MODEL_JSON)}: has no generator weights.`, 'missing-weight', where(MODEL_JSON));
  }
  return {
    architecture: manifest.architecture,
    latentDim: manifest.latentDim,
    outputShape: manifest.outputShape,
    outputRange: manifest.outputRange,
    provenance: manifest.provenance,
    generator: decoded.generator,
    critic: decoded.critic,
  };
}

/**
 * Reads, checksums and decodes the shards of one checked manifest group. `where` turns a
 * shard name into the path or URL that errors name; `manifestFile` names the JSON holding the group.
 */
export async function decodeWeightGroup(
  group: WeightGroup,
  readShard: ShardReader,
  where: (file: string) => string,
  manifestFile = MODEL_JSON,
): Promise<NamedArrays> {
  const expected = group.weights.reduce((n, w) => n + size(w.shape) * bytesPerValue(w.quantization), 0);
  const shards: Uint8Array[] = [];
  let read = 0;
  for (const path of group.paths) {
    // A refusal (a device, a shard larger than its manifest) says so; anything else reads as missing.
    const bytes = await readShard(path, expected - read).catch((e: unknown) => {
      if (e instanceof ModelFormatError) throw e;
      return null;
    });
    if (bytes == null)
      throw new ModelFormatError(`${where(path)}: weight file is missing.`, 'missing-file', where(path));
    shards.push(bytes);
    read += bytes.length;
  }
  const bytes = concatBytes(shards);
  if (bytes.length !== expected) {
    const file = where(group.paths.join(', '));
    const what = bytes.length < expected ? 'truncated' : 'longer than its manifest says';
    throw new ModelFormatError(
      `${file}: ${what} (${bytes.length} bytes, the manifest needs ${expected}).`,
      'truncated',
      file,
    );
  }
  for (const [i, path] of group.paths.entries()) {
    const actual = await sha256Hex(shards[i]);
    if (actual !== group.sha256[i]) {
      throw new ModelFormatError(
        `${where(path)}: checksum mismatch (sha256 ${actual}, ${manifestFile} expects ${group.sha256[i]}): the file is corrupt or from another model.`,
        'checksum',
        where(path),
      );
    }
  }
  const arrays: NamedArrays = {};
  let offset = 0;
  for (const w of group.weights) {
    const n = size(w.shape);
    const length = n * bytesPerValue(w.quantization);
    arrays[w.name] = {
      shape: w.shape,
      values: decodeWeight(bytes.subarray(offset, offset + length), n, w.quantization),
    };
    offset += length;
    assertFinite(arrays[w.name].values, `${where(group.paths[0])}: weight '${w.name}'`);
  }
  return arrays;
}

/**
 * Checks loaded weights against the shapes the architecture expects: every weight present,
 * none extra, each of the right shape. `expected` comes from a freshly built network.
 */
export function checkWeights(
  network: NetworkName,
  expected: Record<string, number[]>,
  actual: NamedArrays,
  file: string,
): void {
  for (const [name, shape] of Object.entries(expected)) {
    const got = actual[name];
    if (got == null)
      throw new ModelFormatError(`${file}: ${network} weight '${name}' is missing.`, 'missing-weight', file);
    if (got.shape.length !== shape.length || got.shape.some((d, i) => d !== shape[i])) {
      throw new ModelFormatError(
        `${file}: ${network} weight '${name}' has shape [${got.shape}], the architecture needs [${shape}].`,
        'shape',
        file,
      );
    }
  }
  for (const name of Object.keys(actual)) {
    if (!(name in expected)) {
      throw new ModelFormatError(
        `${file}: ${network} weight '${name}' is not part of the architecture.`,
        'extra-weight',
        file,
      );
    }
  }
}

function checkModelJson(json: unknown, file: string): ModelJson {
  const fail = (why: string, code: 'not-a-model' | 'dtype' | 'unsupported-version' = 'not-a-model'): never => {
    throw new ModelFormatError(`${file}: ${why}`, code, file);
  };
  if (typeof json !== 'object' || json == null) fail('is not a JSON object.');
  const m = json as Partial<ModelJson>;
  if (m.format !== MODEL_FORMAT)
    fail(`is not a wgan-edge model (format is ${JSON.stringify(m.format)}, expected "${MODEL_FORMAT}").`);
  if (m.formatVersion !== MODEL_FORMAT_VERSION) {
    fail(
      `has format version ${JSON.stringify(m.formatVersion)}; this wgan-edge reads version ${MODEL_FORMAT_VERSION}. Update wgan-edge or re-export the model.`,
      'unsupported-version',
    );
  }
  if (typeof m.architecture !== 'object' || m.architecture == null) fail('has no "architecture" object.');
  if (!Number.isInteger(m.latentDim) || (m.latentDim as number) <= 0)
    fail(`has an invalid latentDim ${JSON.stringify(m.latentDim)}.`);
  if (!isShape(m.outputShape)) fail(`has an invalid outputShape ${JSON.stringify(m.outputShape)}.`);
  const range = m.outputRange;
  if (range !== null && !(Array.isArray(range) && range.length === 2 && range[0] < range[1]))
    fail(`has an invalid outputRange ${JSON.stringify(range)} (expected [low, high] or null).`);
  if (!Array.isArray(m.weightsManifest) || m.weightsManifest.length === 0) fail('has no weightsManifest.');
  for (const group of m.weightsManifest as WeightGroup[]) {
    if (group.network !== 'generator' && group.network !== 'critic')
      fail(`names an unknown network ${JSON.stringify(group.network)}.`);
    checkWeightGroup(group, fail);
  }
  return m as ModelJson;
}

type FormatFailure = (why: string, code?: 'not-a-model' | 'dtype' | 'unsupported-version') => never;

/** Checks one manifest group's fields; `fail` throws naming the JSON file. */
export function checkWeightGroup(group: WeightGroup, fail: FormatFailure): void {
  if (!Array.isArray(group.paths) || !Array.isArray(group.sha256) || group.paths.length !== group.sha256.length) {
    fail(`the ${group.network} group needs "paths" and one "sha256" per path.`);
  }
  // Shard names must stay inside the model folder (or beside model.json at a URL).
  const unsafe = group.paths.find((p) => typeof p !== 'string' || !/^[\w-][\w.-]*$/.test(p));
  if (unsafe != null) fail(`shard path ${JSON.stringify(unsafe)} must be a plain file name beside model.json.`);
  if (!Array.isArray(group.weights)) fail(`the ${group.network} group has no "weights" list.`);
  for (const w of group.weights) {
    if (typeof w.name !== 'string' || !isShape(w.shape))
      fail(`the ${group.network} weight ${JSON.stringify(w.name)} has an invalid name or shape.`);
    if (w.dtype !== 'float32')
      fail(
        `${group.network} weight '${w.name}' has dtype ${JSON.stringify(w.dtype)}; only float32 (optionally quantised) is supported.`,
        'dtype',
      );
    const q = w.quantization;
    if (q != null && q.dtype !== 'float16' && q.dtype !== 'uint8') {
      fail(
        `${group.network} weight '${w.name}' has quantization dtype ${JSON.stringify(q.dtype)}; float16 and uint8 are supported.`,
        'dtype',
      );
    }
  }
}

function isShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0);
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function assertFinite(values: Float32Array, what: string): void {
  const i = values.findIndex((v) => !Number.isFinite(v));
  if (i >= 0)
    throw new ModelFormatError(
      `${what} holds ${values[i]} at index ${i}: refusing a model with non-finite weights.`,
      'non-finite',
    );
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
