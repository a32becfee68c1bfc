/**
 * Loads a model folder served over HTTP(S): `<url>/model.json`, then the shards it names,
 * streamed with a progress callback; or the same files named one by one (ModelFiles: a shipped
 * model's module, whose files a bundler renamed). Works wherever fetch does (pages, workers,
 * service workers, Node >= 18). Read-only: a web server is not a place to save to.
 */
import { ConfigError } from '../utils/errors';
import { ALL_NETWORKS, type ModelContents, type NetworkName } from './codec';
import { MODEL_JSON } from './format';
import { bytesPerValue } from './quantize';
import { ModelStorageError, decodeModelFiles, parseModelJson } from './storage_files';

/**
 * A model folder's files by name (model.json and the shards it names) -> their URLs: what
 * `import mnist from 'wgan-edge/models/mnist'` gives, with the names the app's bundler chose.
 */
export interface ModelFiles {
  files: Record<string, string>;
}

export interface LoadProgress {
  /** Bytes received so far (model.json and shards). */
  loaded: number;
  /** model.json's bytes plus the shard bytes its manifest announces. */
  total: number;
}

export interface UrlLoadOptions {
  onProgress?: (progress: LoadProgress) => void;
  /** Cancels the download; the load then rejects with code 'network'. */
  signal?: AbortSignal;
  /** Extra request settings (headers, credentials, cache mode). */
  requestInit?: RequestInit;
  /** The networks to fetch: both by default; sampling needs the generator alone. */
  networks?: readonly NetworkName[];
}

/**
 * `url` is the model folder (`.../mnist/` or `.../mnist`) or its model.json, or a ModelFiles
 * map; relative URLs resolve against the page or worker location. Rejects with
 * ModelStorageError for HTTP and network failures (naming the URL and status),
 * ModelFormatError for a bad or corrupt file.
 */
export async function loadModelFromUrl(url: string | ModelFiles, options: UrlLoadOptions = {}): Promise<ModelContents> {
  const { jsonUrl, fileUrl } = typeof url === 'object' && url != null ? locateFiles(url) : locateFolder(url);
  const folder = new URL('.', jsonUrl).href;
  const networks = options.networks ?? ALL_NETWORKS;
  const report = { loaded: 0, total: 0 };
  const received = (bytes: number) => {
    report.loaded += bytes;
    options.onProgress?.({ ...report });
  };
  const jsonBytes = await fetchBytes(jsonUrl, options, () => {});
  report.total = jsonBytes.length + announcedShardBytes(parseModelJson(jsonBytes, folder), networks);
  received(jsonBytes.length);
  // decodeModel sees a failed shard read as a missing file; the HTTP error says more, so keep it.
  let transportError: ModelStorageError | undefined;
  const read = async (name: string) => {
    if (name === MODEL_JSON) return jsonBytes;
    const shardUrl = fileUrl(name);
    if (shardUrl == null) return null;
    try {
      return await fetchBytes(shardUrl, options, received);
    } catch (e) {
      if (e instanceof ModelStorageError) transportError = e;
      throw e;
    }
  };
  try {
    return await decodeModelFiles(read, folder, networks);
  } catch (e) {
    throw transportError ?? e;
  }
}

interface Located {
  jsonUrl: string;
  /** A shard's URL by its name in model.json; null when there is none. */
  fileUrl(name: string): string | null;
}

function locateFolder(url: string): Located {
  if (typeof url !== 'string' || url === '')
    throw new ConfigError(`loadModelFromUrl: expected a model folder URL, got ${JSON.stringify(url)}`, 'bad-argument');
  const resolved = resolveUrl(url);
  if (!resolved.pathname.endsWith('.json') && !resolved.pathname.endsWith('/')) resolved.pathname += '/';
  const jsonUrl = resolved.pathname.endsWith('.json') ? resolved.href : new URL(MODEL_JSON, resolved).href;
  return { jsonUrl, fileUrl: (name) => new URL(name, jsonUrl).href };
}

function locateFiles({ files }: ModelFiles): Located {
  if (typeof files !== 'object' || files == null || typeof files[MODEL_JSON] !== 'string') {
    throw new ConfigError(
      `loadModelFromUrl: a { files } map must name ${MODEL_JSON}'s URL, got ${JSON.stringify(files)}`,
      'bad-argument',
    );
  }
  return {
    jsonUrl: resolveUrl(files[MODEL_JSON]).href,
    fileUrl: (name) => (Object.hasOwn(files, name) ? resolveUrl(files[name]).href : null),
  };
}

function resolveUrl(url: string): URL {
  try {
    return new URL(url, globalThis.location?.href);
  } catch {
    throw new ConfigError(
      `loadModelFromUrl: '${url}' is not a valid URL (relative URLs need a page or worker location)`,
      'bad-argument',
    );
  }
}

/** The shard bytes a manifest announces for `networks`, for the progress total; 0 when it is malformed (decoding then rejects it). */
function announcedShardBytes(json: unknown, networks: readonly NetworkName[]): number {
  try {
    type Group = {
      network: NetworkName;
      weights: { shape: number[]; quantization?: { dtype: 'float16' | 'uint8' } }[];
    };
    const groups = (json as { weightsManifest: Group[] }).weightsManifest;
    const total = groups
      .filter((g) => networks.includes(g.network))
      .flatMap((g) => g.weights)
      .reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * bytesPerValue(w.quantization), 0);
    return Number.isFinite(total) ? total : 0;
  } catch {
    return 0;
  }
}

/** GETs `url` in full, reporting each received chunk's size. */
async function fetchBytes(
  url: string,
  options: UrlLoadOptions,
  received: (bytes: number) => void,
): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { ...options.requestInit, signal: options.signal });
  } catch (e) {
    throw new ModelStorageError(`${url}: request failed (${(e as Error).message}).`, 'network', url);
  }
  if (!response.ok) {
    throw new ModelStorageError(
      `${url}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
      'http',
      url,
      response.status,
    );
  }
  try {
    if (response.body == null) {
      const bytes = new Uint8Array(await response.arrayBuffer());
      received(bytes.length);
      return bytes;
    }
    const chunks: Uint8Array[] = [];
    const reader = response.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      chunks.push(chunk.value);
      received(chunk.value.length);
    }
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const c of chunks) {
      bytes.set(c, offset);
      offset += c.length;
    }
    return bytes;
  } catch (e) {
    throw new ModelStorageError(`${url}: download broke off (${(e as Error).message}).`, 'network', url);
  }
}
