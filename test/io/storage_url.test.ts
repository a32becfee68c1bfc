// URL loads in Node (fetch) against a local HTTP server: what the browser test cannot stage
// easily (a failing shard request, a refused connection, chunked answers, an abort).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelContents } from '../../src/io/codec';
import { ModelFormatError } from '../../src/io/format';
import { ModelStorageError, encodeModelFiles } from '../../src/io/storage_files';
import { loadModelFromUrl, type LoadProgress } from '../../src/io/storage_url';

const CHUNK = 100;
const CHUNK_PAUSE_MS = 5;

function model(): ModelContents {
  let s = 9;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const make = (shape: number[]) => ({
    shape,
    values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rand),
  });
  return {
    architecture: { kind: 'test' },
    latentDim: 4,
    outputShape: [8],
    outputRange: [-1, 1],
    provenance: { seed: 9 },
    generator: { 'dense/kernel': make([4, 64]), 'dense/bias': make([64]) },
    critic: { 'dense/kernel': make([8, 32]) },
  };
}

let server: Server;
let base: string;
let files: Record<string, Uint8Array>;

beforeAll(async () => {
  files = await encodeModelFiles(model(), 'float16');
  // /ok/<file>: the files, chunked without Content-Length; /broken/critic.bin: HTTP 500.
  server = createServer((request, response) => {
    const [, folder, servedName] = request.url!.split('/');
    // /renamed/<hash>-<file>: the files under the names a bundler gives them.
    const name = folder === 'renamed' ? servedName.replace(/^[0-9a-f]+-/, '') : servedName;
    if (folder === 'broken' && name === 'critic.bin') {
      response.writeHead(500, 'Internal Server Error').end();
      return;
    }
    const bytes = files[name];
    if (bytes == null || !['ok', 'broken', 'renamed'].includes(folder)) {
      response.writeHead(404, 'Not Found').end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    void (async () => {
      // Pauses keep the chunks apart on the wire, so the client sees several per file.
      for (let i = 0; i < bytes.length; i += CHUNK) {
        response.write(bytes.subarray(i, i + CHUNK));
        await new Promise((resolve) => setTimeout(resolve, CHUNK_PAUSE_MS));
      }
      response.end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );
}

describe('loadModelFromUrl with a { files } map (a shipped model module, its files renamed by a bundler)', () => {
  const renamed = (name: string) => `${base}renamed/9f3a-${name}`;

  it('decodes the model the folder URL gives', async () => {
    const map = {
      files: {
        'model.json': renamed('model.json'),
        'generator.bin': renamed('generator.bin'),
        'critic.bin': renamed('critic.bin'),
      },
    };
    const fromMap = await loadModelFromUrl(map);
    const fromFolder = await loadModelFromUrl(`${base}ok`);
    expect(fromMap.generator['dense/bias'].values).toEqual(fromFolder.generator['dense/bias'].values);
    expect(fromMap.critic!['dense/kernel'].values).toEqual(fromFolder.critic!['dense/kernel'].values);
  });

  it("networks: ['generator'] never requests the critic (here a shard whose server fails) and counts only what it fetches", async () => {
    const map = {
      files: {
        'model.json': renamed('model.json'),
        'generator.bin': renamed('generator.bin'),
        'critic.bin': `${base}broken/critic.bin`,
      },
    };
    const seen: LoadProgress[] = [];
    const loaded = await loadModelFromUrl(map, { networks: ['generator'], onProgress: (p) => seen.push(p) });
    expect(loaded.critic).toBeUndefined();
    expect(loaded.generator['dense/kernel'].shape).toEqual([4, 64]);
    const fetched = files['model.json'].length + files['generator.bin'].length;
    expect(seen.at(-1)).toEqual({ loaded: fetched, total: fetched });
    // Both networks: the failing critic shard is requested, and its HTTP error named.
    const error = (await rejection(loadModelFromUrl(map))) as ModelStorageError;
    expect([error.code, error.status]).toEqual(['http', 500]);
  });

  it('a map without a shard model.json names: missing-file, naming the shard', async () => {
    const error = await rejection(
      loadModelFromUrl({ files: { 'model.json': renamed('model.json'), 'generator.bin': renamed('generator.bin') } }),
    );
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error.message).toMatch(/critic\.bin: weight file is missing/);
  });
});

describe('loadModelFromUrl', () => {
  it('decodes what was encoded, reporting progress chunk by chunk up to the announced total', async () => {
    const seen: LoadProgress[] = [];
    const loaded = await loadModelFromUrl(`${base}ok`, { onProgress: (p) => seen.push(p) });
    expect(loaded.generator['dense/kernel'].shape).toEqual([4, 64]);
    expect(loaded.critic!['dense/kernel'].values).toEqual(
      (await loadModelFromUrl(`${base}ok/model.json`)).critic!['dense/kernel'].values,
    );
    const total = Object.values(files).reduce((n, f) => n + f.length, 0);
    expect(seen.at(-1)).toEqual({ loaded: total, total });
    // The server sends no Content-Length: the total comes from the manifest, known from the first report on.
    expect(seen.every((p) => p.total === total)).toBe(true);
    // One report for model.json, then more than one per shard: progress moves within a file.
    const shards = Object.keys(files).length - 1;
    expect(seen.length).toBeGreaterThan(1 + shards);
  });

  it('keeps the HTTP status of a failing shard request instead of calling the file missing', async () => {
    const error = await rejection(loadModelFromUrl(`${base}broken/`));
    expect(error).toBeInstanceOf(ModelStorageError);
    expect(error).toMatchObject({ code: 'http', status: 500, location: `${base}broken/critic.bin` });
    expect(error.message).toBe(`${base}broken/critic.bin: HTTP 500 Internal Server Error.`);
  });

  it('names the URL of a missing model.json with its status', async () => {
    const error = await rejection(loadModelFromUrl(`${base}absent/`));
    expect(error).toMatchObject({ code: 'http', status: 404 });
    expect(error.message).toBe(`${base}absent/model.json: HTTP 404 Not Found.`);
  });

  it('reports a refused connection and an abort as network failures', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await rejection(loadModelFromUrl(`http://127.0.0.1:${port}/m/`));
    expect(refused).toBeInstanceOf(ModelStorageError);
    expect(refused).toMatchObject({ code: 'network', location: `http://127.0.0.1:${port}/m/model.json` });
    const aborted = await rejection(loadModelFromUrl(`${base}ok/`, { signal: AbortSignal.abort() }));
    expect(aborted).toMatchObject({ code: 'network' });
  });

  it('rejects a relative URL where there is no page location, and an empty one', async () => {
    await expect(loadModelFromUrl('models/mnist/')).rejects.toThrow(/'models\/mnist\/' is not a valid URL/);
    await expect(loadModelFromUrl('')).rejects.toThrow(/expected a model folder URL, got ""/);
  });
});
