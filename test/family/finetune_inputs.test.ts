// Few-shot fine-tuning's input and progress in Node (issue 26): images as users have them (PNG
// and JPEG bytes, Blob, File, ImageData-shaped objects, arrays of another size or colour) brought
// to the model's shape against a closed form; the refusals, each with its code; the preview grids,
// the ETA, Stop keeping what is done, and the result saved to a folder and read back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { imageDataset, type ImageArray } from '../../src/data/images';
import type { ModelContents } from '../../src/io/codec';
import { fineTune, PREVIEW, type FineTunePreview, type FineTuneProgress } from '../../src/io/finetune';
import { fineTuneImageArray } from '../../src/io/image_inputs';
import { generatorFromModel, modelFromTrainer } from '../../src/io/networks';
import { loadModelDir, saveModelDir } from '../../src/io/node_files';
import { archConfig, type ArchConfig } from '../../src/models/config';
import { disposeParams } from '../../src/nn/params';
import { loadShippedModel } from '../../src/node/shipped';
import { sampleGenerator } from '../../src/sample/generate';
import { FineTuneInputError } from '../../src/train/finetune';
import { Trainer } from '../../src/train/trainer';

/** A 28x28 grey image of background `background` with a bar of 230 across `row`. */
function bar(row: number, background = 80): Uint8Array {
  const pixels = new Uint8Array(784).fill(background);
  for (let x = 2; x < 26; x++) pixels[row * 28 + x] = 230;
  return pixels;
}

/** `pixels` (28x28 grey) at `scale` times the size, each pixel a scale x scale block, as RGB. */
function enlarged(pixels: Uint8Array, scale: number): { width: number; height: number; rgb: Uint8Array } {
  const side = 28 * scale;
  const rgb = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++)
      rgb.fill(pixels[Math.floor(y / scale) * 28 + Math.floor(x / scale)], (y * side + x) * 3, (y * side + x + 1) * 3);
  return { width: side, height: side, rgb };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as FineTuneInputError,
  );

describe('fine-tune images as users have them', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it('PNG and JPEG bytes, Blob, File and ImageData of mixed sizes come out at the model size: the area average of each block', async () => {
    const rows = [6, 9, 12, 15, 18];
    const [a, b, c, d, e] = rows.map((r) => bar(r));
    const big = enlarged(b, 2);
    const images = [
      encodePng({ width: 28, height: 28, channels: 1, data: a }),
      encodePng({ width: 56, height: 56, channels: 3, data: big.rgb }).buffer as ArrayBuffer,
      new Blob([encodePng({ width: 28, height: 28, channels: 1, data: c }) as Uint8Array<ArrayBuffer>], {
        type: 'image/png',
      }),
      new File([encodePng({ width: 28, height: 28, channels: 1, data: d }) as Uint8Array<ArrayBuffer>], 'd.png', {
        type: 'image/png',
      }),
      // An ImageData's fields (Node has no ImageData class), 84x84: 3x3 blocks.
      (() => {
        const { width, height, rgb } = enlarged(e, 3);
        const data = new Uint8ClampedArray(width * height * 4);
        for (let p = 0; p < width * height; p++) data.set([rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2], 255], p * 4);
        return { width, height, data, colorSpace: 'srgb' } as ImageData;
      })(),
    ];
    const array = await fineTuneImageArray(images, [28, 28, 1]);
    expect(array.shape).toEqual([5, 28, 28, 1]);
    rows.forEach((row, i) =>
      expect(Array.from(array.data.subarray(i * 784, (i + 1) * 784)), `image ${i}`).toEqual(Array.from(bar(row))),
    );
    // JPEG is lossy: its decode lands near the bar, at the model's size.
    const jpeg = encodeJpeg(
      {
        width: 56,
        height: 56,
        data: Buffer.from(
          enlarged(a, 2).rgb.reduce<number[]>((out, v, i) => (out.push(v), i % 3 === 2 && out.push(255), out), []),
        ),
      },
      95,
    ).data;
    const fromJpeg = await fineTuneImageArray([new Uint8Array(jpeg), images[0]], [28, 28, 1]);
    const worst = Array.from(fromJpeg.data.subarray(0, 784)).reduce((m, v, i) => Math.max(m, Math.abs(v - a[i])), 0);
    expect(worst).toBeLessThan(12);
  });

  it('colour for a grey model becomes luminance (BT.601); an array at another size is resized; one at the model shape passes as it is', async () => {
    const [r, g, b] = [200, 40, 90];
    const colour = new Uint8Array(2 * 14 * 14 * 3);
    for (let p = 0; p < 2 * 14 * 14; p++) colour.set([r, g, b], p * 3);
    const grey = await fineTuneImageArray({ data: colour, shape: [2, 14, 14, 3] }, [28, 28, 1]);
    expect(grey.shape).toEqual([2, 28, 28, 1]);
    expect(new Set(grey.data)).toEqual(new Set([Math.round(0.299 * r + 0.587 * g + 0.114 * b)]));
    // Grey for a colour model: three equal channels; floats in [0, 1] read as 0..255.
    const floats = {
      data: new Float32Array(3 * 8 * 8).fill(0.5),
      shape: [3, 8, 8, 1] as [number, number, number, number],
    };
    const rgb = await fineTuneImageArray(floats, [32, 32, 3]);
    expect(rgb.shape).toEqual([3, 32, 32, 3]);
    expect(new Set(rgb.data)).toEqual(new Set([128]));
    const exact = {
      data: new Float32Array(2 * 784).fill(0.25),
      shape: [2, 28, 28, 1] as [number, number, number, number],
    };
    expect(await fineTuneImageArray(exact, [28, 28, 1])).toBe(exact);
  });

  it('names what is not an image by its file name or index, with the code not-an-image', async () => {
    const png = encodePng({ width: 28, height: 28, channels: 1, data: bar(5) });
    const cases: [unknown[], RegExp][] = [
      [[png, png, new TextEncoder().encode('not a picture')], /^image 2: not a PNG or JPEG file\.$/],
      [
        [png, new File(['hello'], 'notes.txt', { type: 'text/plain' })],
        /^notes\.txt \(image 1\): not a PNG or JPEG file\.$/,
      ],
      [[png, 42, png], /^image 1: expected a File, Blob, ImageBitmap, ImageData or PNG\/JPEG bytes, got a number$/],
      [[png, { width: 2, height: 2, data: new Uint8ClampedArray(3) }], /^image 1: expected .* got a Object$/],
      [[png, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], /^image 1: cannot decode image/],
    ];
    for (const [images, message] of cases) {
      const e = await refusal(fineTuneImageArray(images as never, [28, 28, 1]));
      expect(e, String(message)).toBeInstanceOf(FineTuneInputError);
      expect(e!.code).toBe('not-an-image');
      expect(e!.message).toMatch(message);
    }
    expect((await refusal(fineTuneImageArray('images/' as never, [28, 28, 1])))!.code).toBe('not-an-image');
    const e = await refusal(fineTuneImageArray({ data: new Uint8Array(10), shape: [1, 2, 5] } as never, [28, 28, 1]));
    expect(e!.code).toBe('image-shape');
    expect(e!.message).toMatch(/got shape \[1,2,5\]/);
  });
});

describe('fineTune: input refusals, progress, previews, Stop, saving', () => {
  const arch: ArchConfig = archConfig('dcgan28', { dim: 2, latentDim: 12, latentComponents: 3 });
  let model: ModelContents;
  let dir: string;
  const pngs = [6, 7, 6, 8, 6].map((row) => encodePng({ width: 28, height: 28, channels: 1, data: bar(row) }));

  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
    const images: ImageArray = { data: new Uint8Array(784 * 2).fill(80), shape: [2, 28, 28, 1] };
    const trainer = new Trainer({
      loss: 'wgan-gp',
      arch,
      data: imageDataset(images, arch.outputRange),
      seed: 1,
      batchSize: 4,
    });
    model = await modelFromTrainer(trainer, { dataset: 'bars' });
    trainer.dispose();
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-finetune-inputs-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses 0 or 1 image, a non-image, a model without a critic and a label, each with its code', async () => {
    const before = tf.memory().numTensors;
    const codeOf = async (images: unknown, options = {}, m = model) => {
      const e = await refusal(fineTune(m, images as never, { steps: 1, ...options }));
      expect(e).toBeInstanceOf(FineTuneInputError);
      return [e!.code, e!.message];
    };
    expect(await codeOf([])).toEqual([
      'too-few-images',
      expect.stringMatching(/0 images; a fine-tune needs at least 2/),
    ]);
    expect(await codeOf([pngs[0]])).toEqual([
      'too-few-images',
      expect.stringMatching(/1 image; a fine-tune needs at least 2/),
    ]);
    expect(await codeOf([pngs[0], new Uint8Array(8)])).toEqual(['not-an-image', 'image 1: not a PNG or JPEG file.']);
    expect(await codeOf(pngs, {}, { ...model, critic: undefined })).toEqual([
      'no-critic',
      expect.stringMatching(/has no critic/),
    ]);
    expect(await codeOf(pngs, { label: 3 })).toEqual([
      'not-conditional',
      expect.stringMatching(/^the model is not conditional: .* label 3/),
    ]);
    expect(await codeOf(pngs, { previewEveryMs: 0 })).toEqual(['bad-option', expect.stringMatching(/previewEveryMs/)]);
    // The background rule on the shipped mnist (light on dark): ink on paper is refused, and taken once inverted.
    const mnist = await loadShippedModel('mnist');
    const paper = [6, 9, 12].map((row) =>
      encodePng({ width: 28, height: 28, channels: 1, data: bar(row, 0).map((v) => 255 - v) }),
    );
    expect(await codeOf(paper, {}, mnist)).toEqual([
      'background',
      expect.stringMatching(
        /^the images have a light background \(1\.00\) and the model draws on a dark background \(0\.0\d\); invert them first \(the invert option, --invert\)/,
      ),
    ]);
    const inverted = await fineTune(mnist, paper, { steps: 0, invert: true });
    expect(inverted.model.provenance).toMatchObject({ fineTune: { images: 3, steps: 0 } });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('previews the same seeded latents at the start, when due and at the end; an ETA that counts down; no tensor left behind', async () => {
    const before = tf.memory().numTensors;
    const previews: FineTunePreview[] = [];
    const progress: FineTuneProgress[] = [];
    const steps = 4;
    const result = await fineTune(model, pngs, {
      steps,
      seed: 2,
      batchSize: 4,
      previewEveryMs: 1e-3,
      onPreview: (p) => void previews.push(p),
      onProgress: (p) => void progress.push(p),
    });
    expect(tf.memory().numTensors).toBe(before);
    // Start (before any step), every step (due each time at 1 us), the end.
    expect(previews.map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 4]);
    expect(previews[0].wasserstein).toBeNull();
    expect(previews[1].wasserstein).toBe(progress[0].wasserstein);
    const side = PREVIEW.side * 28 + (PREVIEW.side + 1) * PREVIEW.gap;
    for (const p of previews) expect([p.width, p.height, p.rgba.length]).toEqual([side, side, side * side * 4]);
    // The first grid is the chosen model before any step: drawn independently from its contents.
    const start = generatorFromModel({ ...model, architecture: result.model.architecture }, 'start');
    const want = await sampleGenerator(start, { n: PREVIEW.side ** 2, seed: PREVIEW.seed, format: 'rgba' });
    disposeParams(start.params);
    for (const tile of [0, 5, 15]) {
      const [gx, gy] = [
        PREVIEW.gap + (tile % PREVIEW.side) * (28 + PREVIEW.gap),
        PREVIEW.gap + Math.floor(tile / PREVIEW.side) * (28 + PREVIEW.gap),
      ];
      for (const [y, x] of [
        [0, 0],
        [13, 17],
        [27, 27],
      ]) {
        const at = ((gy + y) * side + gx + x) * 4;
        const from = ((tile * 28 + y) * 28 + x) * 4;
        expect(Array.from(previews[0].rgba.subarray(at, at + 4))).toEqual(
          Array.from(want.values.subarray(from, from + 4)),
        );
      }
    }
    // The last grid is the result's generator (its average): drawn from the saved contents.
    const end = generatorFromModel(result.model, 'end');
    const last = await sampleGenerator(end, { n: PREVIEW.side ** 2, seed: PREVIEW.seed, format: 'rgba' });
    disposeParams(end.params);
    expect(
      Array.from(
        previews
          .at(-1)!
          .rgba.subarray((PREVIEW.gap * side + PREVIEW.gap) * 4, (PREVIEW.gap * side + PREVIEW.gap) * 4 + 4),
      ),
    ).toEqual(Array.from(last.values.subarray(0, 4)));
    expect(previews[0].rgba).not.toEqual(previews.at(-1)!.rgba);
    // The ETA: the run's pace so far times the steps left; 0 at the last step.
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    // (eta / steps left) x steps done is the run's time so far, within the fine-tune's seconds (choice included).
    for (const p of progress.slice(0, -1)) {
      const runSeconds = (p.etaSeconds / (steps - p.step)) * p.step;
      expect(runSeconds).toBeGreaterThan(0);
      expect(runSeconds).toBeLessThanOrEqual(p.seconds + 1e-9);
    }
    expect(progress.at(-1)!.etaSeconds).toBe(0);
    expect(progress.map((p) => p.seconds)).toEqual([...progress.map((p) => p.seconds)].sort((a, b) => a - b));
    // The default interval (3 s) leaves a short run the start and end grids only.
    const few: number[] = [];
    await fineTune(model, pngs, { steps: 2, seed: 2, batchSize: 4, onPreview: (p) => void few.push(p.step) });
    expect(few).toEqual([0, 2]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Stop keeps the steps done; the result saves to a folder and reads back the same', async () => {
    const stop = new AbortController();
    const result = await fineTune(model, pngs, {
      steps: 6,
      seed: 4,
      batchSize: 4,
      onProgress: (p) => (p.step === 2 ? stop.abort() : undefined),
      signal: stop.signal,
    });
    expect(result).toMatchObject({ stopped: 'aborted', stepsRun: 2 });
    expect(result.model.provenance).toMatchObject({ steps: 2, fineTune: { images: 5, steps: 2 } });
    // The same two steps, run to their end, give the same model: the stop lost nothing.
    const two = await fineTune(model, pngs, { steps: 2, seed: 4, batchSize: 4 });
    expect(result.model.generator['input/kernel'].values).toEqual(two.model.generator['input/kernel'].values);
    const folder = join(dir, 'stopped');
    await saveModelDir(folder, result.model);
    const back = await loadModelDir(folder);
    expect(back.architecture).toEqual(result.model.architecture);
    expect(back.provenance).toMatchObject({ fineTune: { images: 5, steps: 2 } });
    for (const [name, array] of Object.entries(result.model.generator))
      expect(back.generator[name].values, name).toEqual(array.values);
    for (const [name, array] of Object.entries(result.model.critic!))
      expect(back.critic![name].values, name).toEqual(array.values);
  });
});
