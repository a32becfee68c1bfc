import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { playwright } from '@vitest/browser-playwright';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import type { BrowserCommand } from 'vitest/node';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/helpers/chromium';
import { nodeFineTuneResult, startNodeFineTune } from './test/helpers/node_finetune';

/**
 * Cross-origin isolation gives the page SharedArrayBuffer, which WASM threads need.
 * Service-Worker-Allowed lets the runtime's service worker (served from /workers/) take the
 * whole origin as its scope, as an app serving it from its root would.
 */
const TEST_SERVER_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Service-Worker-Allowed': '/',
};

/**
 * Browser commands, run by the test server with Playwright's page and context in hand.
 * setNetworkOff: until called with false, the test server drops every HTTP request it gets
 * (see networkSwitch), from pages, workers and service workers alike, so their fetches fail as
 * with no network. Not context.setOffline: that also cuts vitest's WebSocket to the test page.
 * Not context.route either: it waits on every page, worker and service worker Playwright has
 * seen, so one that never answers holds the command, and the whole run, for ever (CI, once).
 */
let networkOff = false;
const setNetworkOff: BrowserCommand<[off: boolean]> = (_context, off) => {
  networkOff = off;
};

/**
 * requestCount: how many requests for `path` the test server has answered (or dropped), from
 * pages, workers and service workers alike: what a test reads to see a fetch was not made.
 */
const requests = new Map<string, number>();
const requestCount: BrowserCommand<[path: string]> = (_context, path) => requests.get(path) ?? 0;

/** Counts every request by path, then drops it while the network is off: the socket closes with no answer, a network error to fetch. */
function networkSwitch(): Plugin {
  return {
    name: 'network-switch',
    configureServer(server) {
      server.middlewares.use((request, _response, next) => {
        const path = request.url?.split('?')[0] ?? '';
        requests.set(path, (requests.get(path) ?? 0) + 1);
        return networkOff ? request.socket.destroy() : next();
      });
    },
  };
}

/**
 * stopServiceWorkers: stops every running service worker, as the browser does with an idle one;
 * the next event starts it again from its stored scripts. Returns how many it stopped.
 */
const stopServiceWorkers: BrowserCommand<[]> = async ({ context }) => {
  const browser = await context.browser()!.newBrowserCDPSession();
  try {
    const { targetInfos } = await browser.send('Target.getTargets');
    const workers = targetInfos.filter((target) => target.type === 'service_worker');
    for (const worker of workers) await browser.send('Target.closeTarget', { targetId: worker.targetId });
    return workers.length;
  } finally {
    await browser.detach();
  }
};

/** A page the test server sends without COOP/COEP: the one place a test sees no isolation. */
const NOT_ISOLATED_PAGE = '/test/browser/fixtures/not_isolated.html';
const ISOLATION_HEADERS = ['cross-origin-opener-policy', 'cross-origin-embedder-policy'];

/** Drops COOP/COEP from the response to `path`: vitest and vite set server.headers on every response, before and after this. */
function withoutIsolationHeaders(path: string): Plugin {
  return {
    name: 'without-isolation-headers',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        if (request.url?.split('?')[0] === path) {
          for (const name of ISOLATION_HEADERS) response.removeHeader(name);
          const setHeader = response.setHeader.bind(response);
          response.setHeader = (name, value) =>
            ISOLATION_HEADERS.includes(name.toLowerCase()) ? response : setHeader(name, value);
        }
        next();
      });
    },
  };
}

/**
 * Serves the build output under /dist/ byte for byte, as an app serves the package's files:
 * the test server's own transform adds a source map inline (dist/gan.sw.js grows from 2.7 MB
 * to 16 MB, and Chromium then refuses to register it: 'Failed to access storage').
 */
function builtFilesAsTheyAre(): Plugin {
  const types: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm' };
  return {
    name: 'built-files-as-they-are',
    configureServer(server) {
      server.middlewares.use('/dist/', (request, response, next) => {
        const file = resolve('dist', `.${request.url?.split('?')[0] ?? ''}`);
        const type = types[extname(file)];
        if (type == null || !file.startsWith(resolve('dist')) || !existsSync(file)) return next();
        for (const [name, value] of Object.entries(TEST_SERVER_HEADERS)) response.setHeader(name, value);
        response.setHeader('Content-Type', type);
        response.end(readFileSync(file));
      });
    },
  };
}

/**
 * notIsolatedWorkerReport: opens NOT_ISOLATED_PAGE in a second tab (a test page cannot embed
 * it: under COEP an iframe without COEP is blocked, and a blob or data URL worker inherits its
 * creator's isolation) and returns what its runtime worker reported, with the .wasm files the
 * tab fetched.
 */
const notIsolatedWorkerReport: BrowserCommand<[]> = async ({ context, page }) => {
  const tab = await context.newPage();
  const wasmFilesFetched: string[] = [];
  tab.on('request', (request) => {
    const file = new URL(request.url()).pathname.split('/').pop()!;
    // Fetches only: the page's `?url` imports of the three files are script requests.
    if (file.endsWith('.wasm') && request.resourceType() === 'fetch') wasmFilesFetched.push(file);
  });
  try {
    await tab.goto(new URL(NOT_ISOLATED_PAGE, page.url()).href);
    await tab.waitForFunction(() => 'workerReport' in window);
    const report = await tab.evaluate(() => (window as unknown as { workerReport: object }).workerReport);
    return { ...report, wasmFilesFetched };
  } finally {
    await tab.close();
  }
};

/** Node resolves tfjs from its ESM sources (its Node bundles miss the gradient registry). */
const ESM_MAIN_FIELDS = ['module', 'jsnext:main', 'main'];

/** How Node-side runs (tests, bench/, scripts/) load tfjs; the other configs reuse it. */
export const NODE_TFJS_RESOLUTION = {
  resolve: { mainFields: ESM_MAIN_FIELDS },
  ssr: { resolve: { mainFields: ESM_MAIN_FIELDS } } as never,
  server: { deps: { inline: [/@tensorflow\//] } },
};

export default defineConfig({
  test: {
    testTimeout: 120_000,
    projects: [
      {
        extends: true,
        resolve: NODE_TFJS_RESOLUTION.resolve,
        ssr: NODE_TFJS_RESOLUTION.ssr,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**'],
          server: NODE_TFJS_RESOLUTION.server,
        },
      },
      {
        extends: true,
        server: { headers: TEST_SERVER_HEADERS },
        plugins: [networkSwitch(), withoutIsolationHeaders(NOT_ISOLATED_PAGE), builtFilesAsTheyAre()],
        // Workers are ES modules (they import tfjs and Comlink).
        worker: { format: 'es' },
        optimizeDeps: {
          // Pre-bundled once, before the first test: workers then start in ~1 s instead of
          // fetching tfjs-core's ~1000 source modules each (~3 s). If a change of entries ever
          // makes register_all_gradients run before tfjs-core registers its flags ("Cannot
          // evaluate flag 'DEBUG'"), exclude '@tensorflow/tfjs-core' and include its CommonJS
          // dependencies instead ('@tensorflow/tfjs-core > long', '... > seedrandom').
          include: [
            '@tensorflow/tfjs-core',
            '@tensorflow/tfjs-core/dist/register_all_gradients',
            'comlink',
            'fast-png',
            '@tensorflow/tfjs-backend-cpu',
            '@tensorflow/tfjs-backend-wasm',
            '@tensorflow/tfjs-backend-webgpu',
          ],
        },
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          // One test page at a time: the main-thread test must not see another file's work.
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            // Failures are reported as text; screenshots of a blank test page would litter test/.
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
            }),
            instances: [{ browser: 'chromium' }],
            commands: {
              setNetworkOff,
              stopServiceWorkers,
              notIsolatedWorkerReport,
              requestCount,
              startNodeFineTune,
              nodeFineTuneResult,
            },
          },
        },
      },
    ],
  },
});
