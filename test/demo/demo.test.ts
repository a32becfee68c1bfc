// The demo page as a user meets it: `wgan-edge demo`'s server (its own code, its headers) and the
// built page (dist/demo/, made by `npm run build`, which `npm test` runs first) in Debian's
// Chromium. The page's grid must be the shipped model's samples for the seed (checked against
// Node's own sampling of the same model), a scan of ink on paper must be inverted and shown as
// the model will see it, a fine-tune must stop when asked and, kept in IndexedDB, come back
// after a reload, and every loss of the family must train on a toy set beside the digits.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { startDemoServer, type DemoServer } from '../../src/cli/demo';
import { generatorFromModel } from '../../src/io/networks';
import { loadModelDir } from '../../src/io/node_files';
import { disposeParams } from '../../src/nn/params';
import { loadMnist } from '../../src/node/mnist';
import { findShippedModel, loadShippedModel } from '../../src/node/shipped';
import { sampleGenerator } from '../../src/sample/generate';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium';

const CLI = join(__dirname, '../../dist/cli.cjs');
const DIGITS = 6;
/** WASM in the page and in Node round differently in the last bits, which 8-bit pixels rarely show. */
const PIXEL_TOLERANCE = 2;

/** A canvas's size and RGBA pixels. */
const canvasPixels = (page: Page, id: string) =>
  page.evaluate((id) => {
    const canvas = document.getElementById(id) as HTMLCanvasElement;
    return {
      width: canvas.width,
      data: Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data),
    };
  }, id);
/** The first grid the page drew: the shipped model's 64 samples of seed 0. */
let firstGrid: number[] = [];

/** The page's grid canvas, RGBA. */
const gridPixels = (page: Page) =>
  page.evaluate(() => {
    const canvas = document.getElementById('grid') as HTMLCanvasElement;
    return Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data);
  });
/** The largest difference between a page's 8 x 8 grid of side x side RGBA samples and the samples themselves ([64, side, side, 4]). */
function gridDifference(grid: number[], samples: ArrayLike<number>, side = 28): number {
  let worst = 0;
  for (let i = 0; i < 64; i++) {
    for (let p = 0; p < side * side * 4; p++) {
      const [y, x, c] = [Math.floor(p / (4 * side)), Math.floor(p / 4) % side, p % 4];
      const at = ((Math.floor(i / 8) * side + y) * 8 * side + (i % 8) * side + x) * 4 + c;
      worst = Math.max(worst, Math.abs(grid[at] - samples[i * side * side * 4 + p]));
    }
  }
  return worst;
}
const waitReady = (page: Page) =>
  page.waitForFunction(() => document.body.dataset.state === 'ready' || document.body.dataset.state === 'error', null, {
    timeout: 90_000,
  });
const status = (page: Page) => page.locator('#status').textContent();
/** MNIST digits (28x28 uint8) as PNG files for the file input, each pixel through `pixel`. */
const digitFiles = (digits: Uint8Array, name: string, pixel: (v: number) => number) =>
  Array.from({ length: digits.length / 784 }, (_, i) => ({
    name: `${name}-${i}.png`,
    mimeType: 'image/png',
    buffer: Buffer.from(
      encodePng({ width: 28, height: 28, channels: 1, data: digits.slice(i * 784, (i + 1) * 784).map(pixel) }),
    ),
  }));

describe('wgan-edge demo', () => {
  let server: DemoServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  /** The shipped mnist model's steps: a fine-tune counts on from them. */
  let shippedSteps: number;
  beforeAll(async () => {
    shippedSteps = (await loadShippedModel('mnist')).provenance.steps!;
    server = await startDemoServer(0);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await (await browser.newContext()).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves only the page, dist/ and models/, cross-origin isolated', async () => {
    const root = new URL('/', server.url);
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect((await fetch(root, { redirect: 'manual' })).headers.get('location')).toBe('/dist/demo/');
    expect((await fetch(new URL('/models/mnist/model.json', root))).status).toBe(200);
    expect((await fetch(new URL('/dist/tfjs-backend-wasm-simd.wasm', root))).headers.get('content-type')).toBe(
      'application/wasm',
    );
    for (const path of [
      '/package.json',
      '/src/cli/demo.ts',
      '/dist/../package.json',
      '/dist/%2e%2e/package.json',
      '/models/%',
    ]) {
      expect([400, 404], path).toContain((await fetch(new URL(path, root))).status);
    }
  });

  it('wgan-edge demo prints the page with a --backend other than auto, stops on Ctrl-C, and names a port in use', async () => {
    const child = spawn('node', [CLI, 'demo', '--port', '0', '--backend', 'wasm']);
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    await new Promise<void>((printed) => child.stderr.on('data', () => stderr.includes('\n') && printed()));
    const url = /open (\S+) /.exec(stderr)![1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dist\/demo\/\?backend=wasm$/);
    expect((await fetch(url)).status).toBe(200);

    const port = new URL(url).port;
    const second = spawn('node', [CLI, 'demo', '--port', port]);
    let refused = '';
    second.stderr.on('data', (chunk) => (refused += chunk));
    expect((await once(second, 'exit'))[0]).toBe(2);
    expect(refused).toBe(`wgan-edge: --port ${port}: another program listens there; pass another --port.\n`);

    child.kill('SIGINT');
    expect((await once(child, 'exit'))[0]).toBe(0);
  });

  it("draws the shipped mnist model's 64 samples of the seed, as Node samples them", async () => {
    await page.goto(server.url);
    await waitReady(page);
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
    expect(await page.locator('#backend').textContent()).toMatch(/^Backend: wasm, WebAssembly with SIMD, \d threads?/);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

    await initBackend({ backend: 'wasm' });
    const dir = (await findShippedModel('mnist'))!;
    const generator = generatorFromModel(await loadModelDir(dir), dir);
    const ours = await sampleGenerator(generator, { n: 64, seed: 0, format: 'rgba' }).finally(() =>
      disposeParams(generator.params),
    );
    const grid = await gridPixels(page);
    firstGrid = grid;
    expect(grid.length).toBe(224 * 224 * 4);
    expect(gridDifference(grid, ours.values)).toBeLessThanOrEqual(PIXEL_TOLERANCE);

    await page.fill('#seed', '7');
    await page.click('#draw');
    await waitReady(page);
    expect(await status(page)).toBe('64 samples of seed 7.');
    expect(await gridPixels(page)).not.toEqual(grid);
  });

  it("the digit picker draws the shipped mnist-conditional model's samples of that label, as Node samples them", async () => {
    await page.goto(server.url);
    await waitReady(page);
    await page.fill('#seed', '3');
    await page.selectOption('#digit', '4');
    await waitReady(page);
    expect(await status(page)).toBe('64 samples of the digit 4 (mnist-conditional) of seed 3.');
    await initBackend({ backend: 'wasm' });
    const dir = (await findShippedModel('mnist-conditional'))!;
    const generator = generatorFromModel(await loadModelDir(dir), dir);
    const ours = await sampleGenerator(generator, { n: 64, seed: 3, format: 'rgba', label: 4 }).finally(() =>
      disposeParams(generator.params),
    );
    const grid = await gridPixels(page);
    expect(gridDifference(grid, ours.values)).toBeLessThanOrEqual(PIXEL_TOLERANCE);
    // Back to any: mnist again, the seed's samples as the first test drew them.
    await page.fill('#seed', '0');
    await page.selectOption('#digit', '');
    await waitReady(page);
    expect(await status(page)).toBe('64 samples of seed 0.');
    expect(await gridPixels(page)).toEqual(firstGrid);
    // The next test goes on from the seed the first one left.
    await page.fill('#seed', '7');
  });

  it('the emoji panel lists the categories models/emoji names and draws its samples of one, as Node samples them', async () => {
    // The page the digit picker's test left: the emoji panel starts once the digits are ready.
    const emojiReady = () =>
      page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.emoji ?? ''), null, {
        timeout: 90_000,
      });
    await emojiReady();
    const dir = (await findShippedModel('emoji'))!;
    const model = await loadModelDir(dir);
    const options = await page.locator('#category option').allTextContents();
    expect(options).toEqual(['any', ...(model.provenance.labelNames as string[])]);
    expect(await page.locator('#emoji-status').textContent()).toBe('64 emoji of any category of seed 0.');
    await page.fill('#emoji-seed', '5');
    await page.selectOption('#category', '3');
    await emojiReady();
    expect(await page.locator('#emoji-status').textContent()).toBe(`64 emoji of ${options[4]} of seed 5.`);
    await initBackend({ backend: 'wasm' });
    const generator = generatorFromModel(model, dir);
    // demo/main.ts's EMOJI_TRUNCATION: the grid differs at any other.
    const ours = await sampleGenerator(generator, {
      n: 64,
      seed: 5,
      format: 'rgba',
      label: 3,
      truncation: 1.25,
    }).finally(() => disposeParams(generator.params));
    const grid = await canvasPixels(page, 'emoji-grid');
    expect(grid.width).toBe(256);
    expect(gridDifference(grid.data, ours.values, 32)).toBeLessThanOrEqual(PIXEL_TOLERANCE);
  });

  it('inverts scans of ink on paper, fine-tunes on them, and keeps the model across a reload', async () => {
    const digits = await loadMnist('test', { limit: DIGITS });
    await page.setInputFiles(
      '#files',
      digitFiles(digits.data as Uint8Array, 'scan', (v) => 255 - v),
    );
    await waitReady(page);
    expect(await status(page)).toBe(`${DIGITS} images on a light background, inverted to the model's dark one.`);
    expect(await page.isChecked('#invert')).toBe(true);
    // The strip shows what the model trains on: the digits as MNIST has them.
    const strip = await page.evaluate(() => {
      const canvas = document.getElementById('yours') as HTMLCanvasElement;
      return Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data);
    });
    expect(strip.length).toBe(DIGITS * 28 * 28 * 4);
    const stripRed = strip.filter((_, i) => i % 4 === 0);
    const expected = Array.from({ length: 28 * DIGITS * 28 }, (_, p) => {
      const [y, x] = [Math.floor(p / (28 * DIGITS)), p % (28 * DIGITS)];
      return digits.data[Math.floor(x / 28) * 784 + y * 28 + (x % 28)];
    });
    expect(stripRed).toEqual(expected);

    const before = await gridPixels(page);
    await page.fill('#steps', '2');
    await page.click('#train');
    await waitReady(page);
    expect(await status(page)).toBe(
      `Done at step ${shippedSteps + 2} (2 steps here). The grid shows the fine-tuned model.`,
    );
    expect(await gridPixels(page)).not.toEqual(before);
    // Before and after: 4 x 4 samples of seed 0, the after grid the worker's last preview.
    const [beforeGrid, afterGrid] = await Promise.all(['before', 'after'].map((id) => canvasPixels(page, id)));
    expect([beforeGrid.width, afterGrid.width]).toEqual([4 * 29 + 1, 4 * 29 + 1]);
    expect(await page.locator('#after-caption').textContent()).toBe('After step 2');
    expect(afterGrid.data).not.toEqual(beforeGrid.data);
    // The before grid is the shipped model's first samples of seed 0, as the main grid drew them at first.
    for (const [x, y] of [
      [1, 1],
      [14, 20],
      [28, 28],
    ]) {
      const at = (y * beforeGrid.width + x) * 4;
      const atGrid = ((y - 1) * 224 + (x - 1)) * 4;
      expect(Math.abs(beforeGrid.data[at] - firstGrid[atGrid])).toBeLessThanOrEqual(PIXEL_TOLERANCE);
    }

    // A long run, stopped: the images and buttons are locked meanwhile, and the steps done are kept.
    await page.fill('#steps', '10000');
    await page.click('#train');
    await page.waitForFunction(() => /^Step \d+/.test(document.getElementById('status')!.textContent ?? ''));
    expect([
      await page.isDisabled('#files'),
      await page.isDisabled('#invert'),
      await page.isDisabled('#train'),
      await page.isEnabled('#stop'),
    ]).toEqual([true, true, true, true]);
    await page.click('#stop');
    await waitReady(page);
    const [, step, stepsRun] = /^Stopped at step (\d+) \((\d+) steps? here\)\. The grid shows the fine-tuned model\.$/
      .exec((await status(page))!)!
      .map(Number);
    expect(stepsRun).toBeGreaterThanOrEqual(1);
    expect(stepsRun).toBeLessThan(10000);
    expect(step).toBe(shippedSteps + 2 + stepsRun);
    const tuned = await gridPixels(page);
    await page.click('#keep');
    await waitReady(page);
    expect(await status(page)).toMatch(/^Kept in this browser/);

    await page.reload();
    await waitReady(page);
    await page.fill('#seed', '7');
    await page.click('#kept');
    await waitReady(page);
    expect(await status(page)).toBe('The kept model. 64 samples of seed 7.');
    expect(await gridPixels(page)).toEqual(tuned);
    expect(pageErrors).toEqual([]);
  });

  it('takes digits drawn as MNIST draws them as they are, and fine-tunes on them twice', async () => {
    const digits = await loadMnist('test', { limit: DIGITS });
    await page.setInputFiles(
      '#files',
      digitFiles(digits.data as Uint8Array, 'digit', (v) => v),
    );
    await waitReady(page);
    expect(await status(page)).toBe(`${DIGITS} images on a dark background.`);
    expect(await page.isChecked('#invert')).toBe(false);
    await page.fill('#steps', '1');
    for (let run = 0; run < 2; run++) {
      await page.click('#train');
      await waitReady(page);
      expect(await status(page)).toMatch(/^Done at step \d+ \(1 step here\)/);
    }
  });

  it('trains each loss of the family on a toy set in a second worker, showing its samples and curve, while the digits model stays loaded', async () => {
    await page.fill('#seed', '3');
    await page.click('#draw');
    await waitReady(page);
    const digits = await gridPixels(page);
    for (const loss of ['gan', 'wgan', 'wgan-gp', 'wgan-c']) {
      await page.selectOption('#toy-loss', loss);
      await page.selectOption('#toy-data', '25gaussians');
      // 10 steps: wgan's first 25 take 100 critic steps each, which on a loaded 2-core machine
      // ran about 1.3 steps per 10 s; the test is about the panel, not the loss.
      await page.fill('#toy-steps', '10');
      await page.click('#toy-train');
      await page.waitForFunction(() => document.body.dataset.toy === 'ready', null, { timeout: 180_000 });
      expect(await page.locator('#toy-status').textContent()).toBe(`${loss} on 25gaussians: done at step 10.`);
      // The scatter plot the worker drew, shown as an image; the curve has its points.
      expect(await page.evaluate(() => (document.getElementById('toy-samples') as HTMLImageElement).naturalWidth)).toBe(
        512,
      );
      const inked = await page.evaluate(() => {
        const canvas = document.getElementById('toy-curve') as HTMLCanvasElement;
        return canvas
          .getContext('2d')!
          .getImageData(0, 0, canvas.width, canvas.height)
          .data.filter((v, i) => i % 4 === 3 && v > 0).length;
      });
      expect(inked).toBeGreaterThan(100);
    }
    await page.click('#draw');
    await waitReady(page);
    expect(await gridPixels(page)).toEqual(digits);
    expect(pageErrors).toEqual([]);
  }, 600_000);
});
