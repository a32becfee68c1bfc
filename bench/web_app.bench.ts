/**
 * The package as a web app meets it (run `npm run build` first: the tarball packs dist/ as it is):
 * - the packed tarball: its size, and its largest files (each tfjs copy among them);
 * - cold start of examples/vite's production build in Chromium, one WASM thread, not isolated:
 *   page load to the first 16 digits drawn, with its parts (the example's performance marks:
 *   worker start and WASM backend, model fetch, sampling and drawing). A first visit (a new
 *   browser context: empty HTTP cache) against a reload in the same context (assets served
 *   cacheable, as hashed build files are, so the browser may reuse its compiled WASM), taking
 *   turns visit by visit.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/helpers/chromium';
import { BUNDLED_EXAMPLES, installExample, packPackage, ROOT, run } from '../test/helpers/example_apps';
import { SERVICE_WORKER_ALLOWED, serveStatic } from '../test/helpers/static_server';
import { saveTable } from './harness';

const SUITE = 'web-app';
const VISITS = 5;
const MARKS = ['runtime started', 'model loaded', 'digits drawn'] as const;
const LARGEST_FILES = 8;
const MB = 1e6;

interface PackedFile {
  path: string;
  size: number;
}

it("tarball size and the Vite example's cold start in Chromium", async () => {
  const work = await mkdtemp(join(tmpdir(), 'wgan-edge-bench-'));
  try {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      maxBuffer: 1 << 24,
    });
    const [packed] = JSON.parse(stdout) as { size: number; unpackedSize: number; files: PackedFile[] }[];
    const largest = [...packed.files].sort((a, b) => b.size - a.size).slice(0, LARGEST_FILES);
    saveTable({
      suite: SUITE,
      title: 'the npm tarball',
      columns: ['what', 'MB'],
      rows: [
        ['tarball (gzip)', packed.size / MB],
        ['unpacked', packed.unpackedSize / MB],
        ...largest.map((f): [string, number] => [f.path, f.size / MB]),
      ],
      notes: [`${packed.files.length} files; the largest ${LARGEST_FILES} listed`],
    });

    const vite = BUNDLED_EXAMPLES.find((e) => e.name === 'vite')!;
    const app = join(await installExample(work, await packPackage(work), vite.name, vite.build), vite.served);
    const server = await serveStatic(app, { ...SERVICE_WORKER_ALLOWED, 'Cache-Control': 'max-age=3600' });
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const first: number[][] = [];
    const reload: number[][] = [];
    try {
      for (let visit = 0; visit < VISITS; visit++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        first.push(await coldStart(page, server.url));
        reload.push(await coldStart(page, server.url));
        await context.close();
      }
    } finally {
      await browser.close();
      await server.close();
    }
    const medians = (visits: number[][]) => MARKS.map((_, i) => median(visits.map((marks) => marks[i])));
    const row = (label: string, visits: number[][]): (string | number)[] => {
      const [started, loaded, drawn] = medians(visits);
      return [label, started, loaded - started, drawn - loaded, drawn];
    };
    saveTable(
      {
        suite: SUITE,
        title: `examples/vite cold start in Chromium, ms from navigation (median of ${VISITS} visits)`,
        columns: ['visit', 'worker + WASM backend', 'model fetch', 'sample + draw', 'first 16 digits'],
        rows: [row('first visit', first), row('reload', reload)],
        notes: [
          'one WASM thread (not isolated); model fetch: model.json and the generator (978 KB), the critic is not fetched',
        ],
      },
      1,
    );
    expect(first.every((marks) => marks.every((t) => t > 0))).toBe(true);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

/** Loads the page and returns the time of each mark, ms from navigation start. */
async function coldStart(page: Page, url: string): Promise<number[]> {
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.state != null, null, { timeout: 120_000 });
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== 'ready') throw new Error(`the example failed: ${await page.locator('#status').textContent()}`);
  const marks = await page.evaluate(() =>
    Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])),
  );
  return MARKS.map((name) => marks[name]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
