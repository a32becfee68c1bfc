/**
 * `wgan-edge demo`: serves the demo page (dist/demo/, built from demo/), the runtime's worker and
 * .wasm files (dist/) and the shipped models (models/) on localhost, with the two headers that
 * make the page cross-origin isolated: WASM threads need SharedArrayBuffer. Nothing else of the
 * package is served, and only to this machine.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { packageDir } from '../node/shipped';
import { intOption, parse } from './args';
import { UsageError } from './errors';

const DEFAULT_PORT = 8080;
const HOST = '127.0.0.1';
/** The page, and the package folders it reads. */
const PAGE = '/dist/demo/';
const SERVED_DIRS = ['dist', 'models'];
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
};

export interface DemoServer {
  /** The page's address. */
  url: string;
  close(): Promise<void>;
}

export async function demo(argv: string[]): Promise<void> {
  const args = parse(argv, { port: { type: 'string' } });
  const port = intOption('port', args.port, 0, 65535) ?? DEFAULT_PORT;
  const server = await startDemoServer(port);
  // The page passes a --backend other than auto on to its runtime.
  const url = args.backend === 'auto' ? server.url : `${server.url}?backend=${String(args.backend)}`;
  process.stderr.write(`wgan-edge demo: open ${url} (Ctrl-C stops the server)\n`);
  await new Promise((stop) => process.once('SIGINT', stop));
  await server.close();
}

/** Serves the demo on `port` of localhost (0: any free port). */
export async function startDemoServer(port: number): Promise<DemoServer> {
  const root = await packageDir();
  if (root == null || !(await isFile(join(root, 'dist', 'demo', 'index.html')))) {
    throw new Error(
      `the demo page is not built (no dist/demo/index.html${root == null ? '' : ` in ${root}`}): run npm run build.`,
    );
  }
  const server = createServer((request, response) => void serve(root, request, response));
  await new Promise<void>((listening, failed) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      failed(
        e.code === 'EADDRINUSE'
          ? new UsageError(`--port ${port}: another program listens there; pass another --port.`)
          : e,
      ),
    );
    server.listen(port, HOST, listening);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${bound}${PAGE}`,
    close: () => new Promise((closed) => server.close(() => closed()).closeAllConnections()),
  };
}

async function serve(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  let path: string;
  try {
    path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  } catch {
    return void response.writeHead(400).end();
  }
  if (path === '/') return void response.writeHead(302, { Location: PAGE }).end();
  const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  const type = CONTENT_TYPES[extname(file)];
  const inside = SERVED_DIRS.some((dir) => file.startsWith(join(root, dir) + sep));
  if (!inside || type == null || (request.method !== 'GET' && request.method !== 'HEAD') || !(await isFile(file))) {
    return void response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}\n`);
  }
  const { size } = await stat(file);
  response.writeHead(200, {
    ...ISOLATION_HEADERS,
    'Content-Type': type,
    'Content-Length': size,
    'Cache-Control': 'no-cache',
  });
  if (request.method === 'HEAD') return void response.end();
  createReadStream(file).pipe(response);
}

const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
