// runtime.fineTune in Chromium (issue 26): images as a page has them (File, Blob, ImageBitmap,
// ImageData, of mixed sizes and in colour) decoded and resized in the worker, against the same
// pixels resized on the page; the refusals with their reasons; preview grids, an ETA, Stop, and
// the result saved to IndexedDB and the Cache API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toImageArray, type DecodedImage } from '../../src/data/image_pixels';
import type { FineTunePreview, FineTuneProgress } from '../../src/io/finetune';
import { deleteModelFromCache, loadModelFromCache } from '../../src/io/storage_cache';
import { deleteModelFromIndexedDb, loadModelFromIndexedDb } from '../../src/io/storage_indexeddb';
import { loadModelFromUrl } from '../../src/io/storage_url';
import { createRuntime, type Runtime } from '../../src/runtime/client';
import { RuntimeError } from '../../src/runtime/errors';
import { WASM_FILES } from './wasm_files';
import { startWorker } from './worker_url';

const MNIST_URL = '/models/mnist/';
const SAVED_NAME = 'runtime-finetune-test';

/** A 28x28 light-on-dark stroke (a slanted bar inside MNIST's margin of 4) numbered `k`, as RGBA. */
function stroke(k: number): DecodedImage {
  const rgba = new Uint8Array(28 * 28 * 4);
  for (let p = 0; p < 784; p++) rgba[p * 4 + 3] = 255;
  for (let y = 6; y < 22; y++) {
    for (let dx = 0; dx < 3; dx++) {
      const x = 8 + Math.floor(((y - 6) * (4 + k)) / 16) + dx;
      rgba.set([230, 210 - 20 * (k % 3), 200, 255], (y * 28 + x) * 4);
    }
  }
  return { width: 28, height: 28, rgba };
}

/** `image` drawn at `side` x `side` pixels (each pixel a block), as ImageData. */
function scaled(image: DecodedImage, side: number): ImageData {
  const scale = side / image.width;
  const out = new ImageData(side, side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const from = (Math.floor(y / scale) * image.width + Math.floor(x / scale)) * 4;
      out.data.set(image.rgba.subarray(from, from + 4), (y * side + x) * 4);
    }
  }
  return out;
}

async function pngBlob(image: ImageData): Promise<Blob> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas.getContext('2d')!.putImageData(image, 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

let runtime: Runtime;
beforeAll(async () => {
  runtime = await createRuntime({ worker: startWorker(), backend: 'wasm', wasmPaths: WASM_FILES });
});
afterAll(async () => {
  runtime.dispose();
  await deleteModelFromCache(SAVED_NAME);
  await deleteModelFromIndexedDb(SAVED_NAME);
});

describe('runtime.fineTune: images as a page has them', () => {
  it('File, Blob, ImageBitmap and ImageData of 28, 56 and 84 pixels, in colour, tune exactly as their pixels resized to grey on the page', async () => {
    const strokes = [0, 1, 2, 3, 4, 5].map(stroke);
    const sides = [28, 56, 84, 28, 56, 84];
    const pixels = strokes.map((s, i) => scaled(s, sides[i]));
    const asPage = async () => [
      new File([await pngBlob(pixels[0])], 'zero.png', { type: 'image/png' }),
      await pngBlob(pixels[1]),
      await createImageBitmap(pixels[2]),
      pixels[3],
      new File([await pngBlob(pixels[4])], 'four.png', { type: 'image/png' }),
      await createImageBitmap(pixels[5]),
    ];
    const request = { steps: 1, seed: 3 };
    await runtime.load({ url: MNIST_URL });
    const fromFiles = await runtime.fineTune({ images: await asPage(), ...request });
    const tunedFromFiles = await runtime.exportModel();
    // The same pixels, resized to grey here (a copy: the ImageData above was transferred).
    const again = strokes.map((s, i) => scaled(s, sides[i]));
    const array = toImageArray(
      again.map(({ width, height, data }) => ({ width, height, rgba: new Uint8Array(data.buffer) })),
      28,
      1,
    );
    await runtime.load({ url: MNIST_URL });
    const fromArray = await runtime.fineTune({ images: array, ...request });
    const tunedFromArray = await runtime.exportModel();
    expect(fromFiles.components).toEqual(fromArray.components);
    expect(tunedFromFiles.provenance).toMatchObject({ fineTune: { images: 6, steps: 1 } });
    expect(tunedFromFiles.generator).toEqual(tunedFromArray.generator);
    expect(tunedFromFiles.critic).toEqual(tunedFromArray.critic);
  });

  it('refuses what is not an image (named), one image, a label, ink on paper unless inverted, a model without a critic: bad-request with the reason', async () => {
    await runtime.load({ url: MNIST_URL });
    const good = await pngBlob(scaled(stroke(1), 28));
    const refused = (request: Parameters<Runtime['fineTune']>[0]) =>
      runtime.fineTune(request).then(
        () => null,
        (e: RuntimeError) => e,
      );
    const notes = await refused({
      images: [good, new File(['shopping list'], 'notes.txt', { type: 'text/plain' }), good],
    });
    expect(notes).toBeInstanceOf(RuntimeError);
    expect(notes).toMatchObject({
      code: 'bad-request',
      reason: 'not-an-image',
      message: expect.stringMatching(/^fineTune: notes\.txt \(image 1\): not an image this browser can decode/),
    });
    expect(await refused({ images: [good, new Uint8Array([1, 2, 3])] })).toMatchObject({
      reason: 'not-an-image',
      message: expect.stringMatching(/image 1: not a PNG or JPEG file/),
    });
    expect(await refused({ images: [good] })).toMatchObject({
      reason: 'too-few-images',
      message: expect.stringMatching(/1 image; a fine-tune needs at least 2/),
    });
    expect(await refused({ images: [good, good], label: 4 })).toMatchObject({
      reason: 'not-conditional',
      message: expect.stringMatching(/is not conditional/),
    });
    // Ink on paper (the stroke's negative) for the light-on-dark mnist: refused, and taken with invert.
    const paper = scaled(stroke(2), 28);
    paper.data.forEach((v, i) => (paper.data[i] = i % 4 === 3 ? 255 : 255 - v));
    const papers = async () => [await pngBlob(paper), await pngBlob(paper), await pngBlob(paper)];
    expect(await refused({ images: await papers() })).toMatchObject({
      reason: 'background',
      message: expect.stringMatching(/a light background .* invert them first/),
    });
    expect(await runtime.fineTune({ images: await papers(), invert: true, steps: 0 })).toMatchObject({
      stopped: 'completed',
      stepsRun: 0,
    });
    const { critic: _critic, ...withoutCritic } = await loadModelFromUrl(MNIST_URL);
    await runtime.load(withoutCritic);
    expect(await refused({ images: [good, good] })).toMatchObject({
      reason: 'no-critic',
      message: expect.stringMatching(/has no critic/),
    });
  });
});

describe('runtime.fineTune: progress, Stop, saving', () => {
  it('sends preview grids every previewEveryMs and an ETA; Stop keeps the steps done; the result saves to IndexedDB and the Cache API', async () => {
    await runtime.load({ url: MNIST_URL });
    const start = (await loadModelFromUrl(MNIST_URL)).provenance.steps!;
    const previews: FineTunePreview[] = [];
    const progress: FineTuneProgress[] = [];
    const stop = new AbortController();
    const images = await Promise.all([1, 2, 3, 4, 5].map((k) => pngBlob(scaled(stroke(k), 28))));
    const result = await runtime.fineTune({
      images,
      steps: 200,
      previewEveryMs: 500,
      signal: stop.signal,
      onPreview: (p) => void previews.push(p),
      onProgress: (p) => {
        progress.push(p);
        // Stop once two grids came after the first.
        if (previews.length >= 3) stop.abort();
      },
    });
    expect(result.stopped).toBe('aborted');
    expect(result.stepsRun).toBeGreaterThan(0);
    expect(result.stepsRun).toBeLessThan(200);
    expect(result.step).toBe(start + result.stepsRun);
    // A grid at the start, some while it ran, and the last at the step it stopped.
    expect(previews[0]).toMatchObject({ step: start, wasserstein: null });
    expect(previews.at(-1)!.step).toBe(result.step);
    const steps = previews.map((p) => p.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    for (const p of previews) expect(new ImageData(p.rgba, p.width, p.height).width).toBe(4 * 28 + 5);
    // The ETA: the run's pace so far times the steps left ((eta / steps left) x steps done is the
    // run's time so far, within the seconds since the request), not a guess that needs a steady
    // machine to fall.
    for (const p of progress) {
      const runSeconds = (p.etaSeconds / (start + 200 - p.step)) * (p.step - start);
      expect(runSeconds).toBeGreaterThan(0);
      expect(runSeconds).toBeLessThanOrEqual(p.seconds + 1e-6);
    }
    expect(progress.at(-1)!.seconds).toBeGreaterThan(progress[0].seconds);
    await runtime.saveModel({ indexedDb: SAVED_NAME });
    await runtime.saveModel({ cache: SAVED_NAME });
    for (const saved of [await loadModelFromIndexedDb(SAVED_NAME), await loadModelFromCache(SAVED_NAME)]) {
      expect(saved.provenance).toMatchObject({
        steps: result.step,
        fineTune: { images: 5, steps: result.stepsRun, components: result.components },
      });
      expect(saved.architecture.latentAnchors).toEqual(result.model.architecture.latentAnchors);
      expect((saved.architecture.latentAnchors as { points: number[][] }).points.length).toBeGreaterThanOrEqual(1);
    }
    // And loads back into a worker as the model it was.
    const want = await runtime.sample({ n: 4, seed: 9 });
    await runtime.load({ indexedDb: SAVED_NAME });
    expect(await runtime.sample({ n: 4, seed: 9 })).toEqual(want);
  });
});
