/**
 * What the browser storages (URL, Cache API, IndexedDB) share: a model folder as named byte
 * files (model.json + the shards it names), and the error a storage raises when the bytes
 * cannot be moved (a bad file raises ModelFormatError instead, from the codec).
 */
import { ALL_NETWORKS, decodeModel, encodeModel, type ModelContents, type NetworkName } from './codec';
import { MODEL_JSON, ModelFormatError, type WeightStorage } from './format';

export type ModelStorageErrorCode =
  /** The server answered with an HTTP error status. */
  | 'http'
  /** The request never got an answer (offline, CORS, DNS, aborted). */
  | 'network'
  /** No model is stored under that name. */
  | 'not-found'
  /** The storage API is missing in this scope or refused to open. */
  | 'unavailable'
  /** A save failed (quota, a closed database); the previous model, if any, is untouched. */
  | 'write-failed';

/** A storage could not read or write a model; `location` names the URL or storage key. */
export class ModelStorageError extends Error {
  override name = 'ModelStorageError';
  constructor(
    message: string,
    readonly code: ModelStorageErrorCode,
    readonly location: string,
    /** The HTTP status, for code 'http'. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The files of a model folder by name: model.json first, then the shards. */
export async function encodeModelFiles(
  model: ModelContents,
  storage: WeightStorage = 'float32',
): Promise<Record<string, Uint8Array>> {
  const { json, files } = await encodeModel(model, storage);
  return { [MODEL_JSON]: new TextEncoder().encode(JSON.stringify(json, null, 2) + '\n'), ...files };
}

/** Parses model.json's bytes; `source` (URL or key) is named in the error. */
export function parseModelJson(bytes: Uint8Array, source: string): unknown {
  const file = `${source.replace(/\/$/, '')}/${MODEL_JSON}`;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ModelFormatError(`${file}: is not valid JSON (${(e as Error).message}).`, 'not-a-model', file);
  }
}

/**
 * Decodes a model whose files `read` returns (null: no such file). Nothing is returned unless
 * every file is present and valid, so a failed load never yields a partial model.
 */
export async function decodeModelFiles(
  read: (name: string) => Promise<Uint8Array | null>,
  source: string,
  networks: readonly NetworkName[] = ALL_NETWORKS,
): Promise<ModelContents> {
  const jsonBytes = await read(MODEL_JSON);
  if (jsonBytes == null) {
    const file = `${source.replace(/\/$/, '')}/${MODEL_JSON}`;
    throw new ModelFormatError(`${file}: not found.`, 'missing-file', file);
  }
  return decodeModel(parseModelJson(jsonBytes, source), read, source, networks);
}
