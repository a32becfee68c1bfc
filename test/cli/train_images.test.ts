// `wgan-edge train --data <folder>`: a user's own PNGs, as a scan gives them (ink on paper), and
// --invert, which trains on their negatives. Fine-tuning a light-on-dark model (the shipped
// mnist) on ink on paper is refused, naming --invert, before anything is written; a resumed
// --invert run reads its images inverted again, so it goes on bit for bit.
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { UsageError } from '../../src/cli/errors';
import { train } from '../../src/cli/train';
import { loadStateDir } from '../../src/io/state_file';
import { loadMnist } from '../../src/node/mnist';
import { loadShippedModel } from '../../src/node/shipped';
import type { TrainerState } from '../../src/train/state';

const DIGITS = 8;
/** A tiny image run: DIM 4, batch 4. */
const TINY_IMAGES = ['--dim', '4', '--batch', '4', '--backend', 'cpu'];

const checkpoint = async (out: string) =>
  (await loadStateDir(join(out, 'checkpoint'))) as { trainer: TrainerState; run: { inverted?: boolean } };
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** MNIST test digits as PNG files, as they are (light on dark) or as ink on paper. */
async function digitFolder(dir: string, inkOnPaper: boolean): Promise<void> {
  const digits = await loadMnist('test', { limit: DIGITS });
  await mkdir(dir);
  for (let i = 0; i < DIGITS; i++) {
    const pixels = (digits.data as Uint8Array).subarray(i * 784, (i + 1) * 784);
    const data = inkOnPaper ? pixels.map((v) => 255 - v) : pixels;
    await writeFile(join(dir, `digit-${i}.png`), encodePng({ width: 28, height: 28, data, channels: 1 }));
  }
}

describe('wgan-edge train on a folder of images', () => {
  let dir: string;
  let paper: string;
  let screen: string;
  /** The shipped model's steps: --steps counts on from them, so mnistSteps + 1 is one step more. */
  let mnistSteps: number;
  beforeAll(async () => {
    mnistSteps = (await loadShippedModel('mnist')).provenance.steps!;
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-images-'));
    [paper, screen] = [join(dir, 'paper'), join(dir, 'screen')];
    await digitFolder(paper, true);
    await digitFolder(screen, false);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses to fine-tune mnist on ink on paper unless --invert, and --invert on digits that match it', async () => {
    const out = join(dir, 'tuned');
    const paperRun = train([
      '--data',
      paper,
      '--init',
      'mnist',
      '--batch',
      '4',
      '--steps',
      String(mnistSteps + 1),
      '--backend',
      'cpu',
      '--out',
      out,
    ]);
    await expect(paperRun).rejects.toThrow(UsageError);
    await expect(paperRun).rejects.toThrow(
      new RegExp(
        `^--data ${paper}: its images have a light background \\(1\\.00\\) and mnist draws on a dark background \\(0\\.0\\d\\); pass --invert to train on their negatives\\.$`,
      ),
    );
    expect(await exists(out)).toBe(false);
    const invertedScreen = train([
      '--data',
      screen,
      '--invert',
      '--init',
      'mnist',
      '--batch',
      '4',
      '--steps',
      String(mnistSteps + 1),
      '--backend',
      'cpu',
      '--out',
      out,
    ]);
    await expect(invertedScreen).rejects.toThrow(
      /its images, inverted, have a light background \(1\.00\) .*; drop --invert\.$/,
    );
    expect(await exists(out)).toBe(false);

    await train([
      '--data',
      paper,
      '--invert',
      '--init',
      'mnist',
      '--batch',
      '4',
      '--steps',
      String(mnistSteps + 1),
      '--backend',
      'cpu',
      '--out',
      out,
    ]);
    const tuned = await checkpoint(out);
    expect(tuned.trainer.step).toBe(mnistSteps + 1);
    expect(tuned.run.inverted).toBe(true);
    // The model folder keeps the shipped model's float16 weights (--storage would name another).
    const manifest = JSON.parse(await readFile(join(out, 'model.json'), 'utf8')).weightsManifest as {
      weights: { quantization?: { dtype: string } }[];
    }[];
    expect(new Set(manifest.flatMap((group) => group.weights.map((w) => w.quantization?.dtype ?? 'float32')))).toEqual(
      new Set(['float16']),
    );
  });

  it('a resumed --invert run reads its images inverted again: 1 + 1 steps equal 2', async () => {
    const [straight, resumed] = [join(dir, 'straight'), join(dir, 'resumed')];
    await train(['--data', paper, '--invert', ...TINY_IMAGES, '--steps', '2', '--out', straight]);
    await train(['--data', paper, '--invert', ...TINY_IMAGES, '--steps', '1', '--out', resumed]);
    await train(['--data', paper, ...TINY_IMAGES, '--steps', '2', '--out', resumed, '--resume']);
    const [a, b] = [await checkpoint(straight), await checkpoint(resumed)];
    expect(b.trainer.step).toBe(2);
    expect(b.trainer.generator).toEqual(a.trainer.generator);
    expect(b.trainer.critic).toEqual(a.trainer.critic);
    // Not inverting would have trained other images: the same run without --invert differs.
    const plain = join(dir, 'plain');
    await train(['--data', paper, ...TINY_IMAGES, '--steps', '2', '--out', plain]);
    expect((await checkpoint(plain)).trainer.critic).not.toEqual(a.trainer.critic);
    await expect(
      train(['--data', paper, '--invert', ...TINY_IMAGES, '--steps', '3', '--out', plain, '--resume']),
    ).rejects.toThrow(`--resume: ${plain} was trained without --invert, not --invert.`);
    await expect(train(['--data', '8gaussians', '--invert', '--out', join(dir, 'points')])).rejects.toThrow(
      '--invert flips a folder of images, not --data 8gaussians.',
    );
  });
});
