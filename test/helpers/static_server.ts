// A static file server as an app's host is one: a built app's folder, served as it is, with or
// without the headers that make its pages cross-origin isolated. For the example apps' tests.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** COOP/COEP (WASM threads) and the header that lets a service worker under /assets/ take the whole origin. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
export const SERVICE_WORKER_ALLOWED = { 'Service-Worker-Allowed': '/' };

export interface StaticServer {
  /** The origin, with a trailing slash. */
  url: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `root` on a free port of localhost with `headers` on every answer; a folder's index.html at its path. */
export async function serveStatic(root: string, headers: Record<string, string> = {}): Promise<StaticServer> {
  const base = resolve(root);
  const requests: string[] = [];
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    requests.push(path);
    const file = join(base, path.endsWith('/') ? `${path}index.html` : path);
    const info = await stat(file).catch(() => null);
    if (!(file === base || file.startsWith(base + sep)) || info == null || !info.isFile()) {
      return void response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}\n`);
    }
    response.writeHead(200, {
      ...headers,
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise((closed) => server.close(() => closed()).closeAllConnections()),
  };
}
