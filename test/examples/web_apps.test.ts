// The package as web developers meet it: packed (`npm pack`), installed from the tarball into
// the example apps (examples/: Vite 8, webpack 5, a static page with no bundler), built in
// production mode (minified), served as a host serves them, with and without COOP/COEP, and
// driven in Debian's Chromium. Each must run on WASM with no copy step and no wasmPaths (2
// threads when asked on an isolated page), draw the shipped mnist model's 16 digits for seed 42
// (Node's own sampling of the model, within 8-bit rounding), serve that grid as a PNG through
// the service worker, and raise no page error and no CPU-fallback warning. The README's web
// snippets type-check against the installed package.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { generatorFromModel } from '../../src/io/networks';
import { disposeParams } from '../../src/nn/params';
import { loadShippedModel } from '../../src/node/shipped';
import { sampleGenerator } from '../../src/sample/generate';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium';
import { BUNDLED_EXAMPLES, installExample, packPackage, ROOT, run } from '../helpers/example_apps';
import { ISOLATION_HEADERS, SERVICE_WORKER_ALLOWED, serveStatic } from '../helpers/static_server';

const SAMPLES = { n: 16, seed: 42 };
/** WASM in the page and in Node round differently in the last bits, which 8-bit pixels rarely show. */
const PIXEL_TOLERANCE = 2;
const BUILD_TIMEOUT_MS = 300_000;

interface PageRun {
  state: string;
  status: string;
  report: {
    info: { backend: string; threads: number; crossOriginIsolated: boolean };
    serviceWorkerInfo?: { backend: string; scope: string };
  };
  /** The canvas's RGBA pixels. */
  canvas: { width: number; height: number; data: number[] };
  /** The service worker's PNG for the <img>, when the page has one. */
  png: number[] | null;
  problems: string[];
}

let work: string;
let tarball: string;
let browser: Browser;
/** The 16 digits as Node draws them: RGBA [16, 28, 28, 4], and the grid PNG's pixels. */
let expected: { rgba: Uint8ClampedArray; png: ArrayLike<number> };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'wgan-edge-apps-'));
  // `npm test` has just built dist/: pack it as it is.
  tarball = await packPackage(work);
  await initBackend({ backend: 'wasm' });
  const generator = generatorFromModel(await loadShippedModel('mnist'), 'mnist');
  try {
    const rgba = await sampleGenerator(generator, { ...SAMPLES, format: 'rgba' });
    const png = await sampleGenerator(generator, { ...SAMPLES, format: 'png' });
    expected = { rgba: rgba.values, png: decode(png.png).data };
  } finally {
    disposeParams(generator.params);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  if (work != null) await rm(work, { recursive: true, force: true });
});

/** Opens `url`, waits for the example to finish, and reads what it drew and reported. */
async function drive(url: string): Promise<PageRun> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  // Workers' errors and warnings (the runtime worker's and the service worker's) reach the page's console too.
  try {
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.state != null, null, { timeout: 120_000 });
    return {
      ...(await page.evaluate(async () => {
        const canvas = document.querySelector('canvas')!;
        const img = document.querySelector('img');
        const png = img?.src ? Array.from(new Uint8Array(await (await fetch(img.src)).arrayBuffer())) : null;
        return {
          state: document.body.dataset.state!,
          status: document.getElementById('status')!.textContent!,
          report: JSON.parse(document.body.dataset.report ?? 'null'),
          canvas: {
            width: canvas.width,
            height: canvas.height,
            data: Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data),
          },
          png,
        };
      })),
      problems,
    };
  } finally {
    await context.close();
  }
}

/** The largest difference between the canvas's 4x4 grid of 28x28 digits and Node's samples. */
function digitsDifference({ width, data }: PageRun['canvas']): number {
  let worst = 0;
  for (let i = 0; i < SAMPLES.n; i++) {
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const page = ((Math.floor(i / 4) * 28 + y) * width + (i % 4) * 28 + x) * 4;
        const node = ((i * 28 + y) * 28 + x) * 4;
        for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs(data[page + c] - expected.rgba[node + c]));
      }
    }
  }
  return worst;
}

function pngDifference(png: number[]): number {
  const image = decode(Uint8Array.from(png)).data;
  expect(image.length).toBe(expected.png.length);
  let worst = 0;
  for (let i = 0; i < image.length; i++) worst = Math.max(worst, Math.abs(image[i] - expected.png[i]));
  return worst;
}

/** What every run must show: WASM, the right digits, the service worker's PNG where there is one, nothing in the console. */
function expectDigitsOnWasm(result: PageRun, threads: number, isolated: boolean): void {
  expect(result.problems).toEqual([]);
  expect([result.state, result.status]).toEqual(['ready', expect.stringMatching(/^wasm: /)]);
  expect(result.report.info).toMatchObject({ backend: 'wasm', threads, crossOriginIsolated: isolated });
  expect([result.canvas.width, result.canvas.height]).toEqual([4 * 28, 4 * 28]);
  expect(digitsDifference(result.canvas)).toBeLessThanOrEqual(PIXEL_TOLERANCE);
  if (result.report.serviceWorkerInfo != null) {
    expect(result.report.serviceWorkerInfo).toMatchObject({ backend: 'wasm', scope: 'service-worker' });
    expect(pngDifference(result.png!)).toBeLessThanOrEqual(PIXEL_TOLERANCE);
  }
}

describe.each(BUNDLED_EXAMPLES)('examples/$name, built in production mode', ({ name, build, served }) => {
  let root: string;
  beforeAll(async () => {
    const dir = await installExample(work, tarball, name, build);
    // A browser-only app: npm leaves the optional tfjs peers out, and the worker needs none.
    expect(existsSync(join(dir, 'node_modules/@tensorflow/tfjs-core'))).toBe(false);
    root = join(dir, served);
  }, BUILD_TIMEOUT_MS);

  it('cross-origin isolated, 2 threads asked for: WASM on 2 threads, the digits, the service worker on WASM', async () => {
    const server = await serveStatic(root, { ...ISOLATION_HEADERS, ...SERVICE_WORKER_ALLOWED });
    try {
      const result = await drive(`${server.url}?threads=2`);
      expectDigitsOnWasm(result, 2, true);
      expect(result.report.serviceWorkerInfo).toBeDefined();
      // The sampling loads (worker and service worker) fetched one shard, the generator: never the critic.
      expect(new Set(server.requests.filter((path) => path.endsWith('.bin'))).size).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('not isolated: WASM on 1 thread, the digits, the service worker on WASM', async () => {
    const server = await serveStatic(root, SERVICE_WORKER_ALLOWED);
    try {
      expectDigitsOnWasm(await drive(server.url), 1, false);
    } finally {
      await server.close();
    }
  });
});

describe('examples/vite: the docs', () => {
  it("the README's and docs/web.md's web snippets type-check against the installed package", async () => {
    const dir = join(work, 'vite');
    const docs = await Promise.all(['README.md', 'docs/web.md'].map((file) => readFile(join(ROOT, file), 'utf8')));
    const snippets = docs
      .flatMap((doc) => [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]))
      .filter((code) => /^import .* from 'wgan-edge\//m.test(code));
    expect(snippets.length).toBeGreaterThanOrEqual(5);
    await Promise.all(
      snippets.map((code, i) => writeFile(join(dir, 'src', `readme_${i}.ts`), `${code}\nexport {};\n`)),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = await run('node', [tsc, '-p', dir]).then(
      () => '',
      (e: { stdout: string }) => e.stdout,
    );
    expect(result).toBe('');
  });
});

describe('examples/static: the package served as files, no bundler', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await installExample(work, tarball, 'static');
  });

  it("from the page's own folder, isolated, 2 threads: WASM on 2 threads and the digits", async () => {
    const server = await serveStatic(dir, ISOLATION_HEADERS);
    try {
      expectDigitsOnWasm(await drive(`${server.url}?threads=2`), 2, true);
    } finally {
      await server.close();
    }
  });

  it('from another origin, as from a CDN: the worker starts there and finds its .wasm files', async () => {
    const cdn = await serveStatic(join(dir, 'wgan-edge'), {
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
    const page = await serveStatic(dir, ISOLATION_HEADERS);
    try {
      expectDigitsOnWasm(await drive(`${page.url}?threads=2&package=${encodeURIComponent(cdn.url)}`), 2, true);
      expect(cdn.requests).toContain('/dist/gan.worker.js');
      expect(cdn.requests.some((path) => path.endsWith('.wasm'))).toBe(true);
      expect(page.requests.filter((path) => path.startsWith('/wgan-edge/'))).toEqual([]);
    } finally {
      await Promise.all([cdn.close(), page.close()]);
    }
  });
});
