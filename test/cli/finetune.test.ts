// `wgan-edge finetune`: a folder of a few MNIST test digits in, a model folder out (the shipped
// mnist restricted to the latent components nearest them, then tuned); the clear refusals: no
// images, one image, a file that is not an image, ink on paper without --invert, a model
// without a critic.
import { mkdir, mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { UsageError } from '../../src/cli/errors';
import { finetune } from '../../src/cli/finetune';
import { loadModelDir, saveModelDir } from '../../src/io/node_files';
import { mixtureCentres, type LatentAnchors } from '../../src/models/latent_mixture';
import { loadMnist, loadMnistLabels } from '../../src/node/mnist';
import { loadShippedModel } from '../../src/node/shipped';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** `count` MNIST test images of `digit` as PNGs in `dir`, light on dark or as ink on paper. */
async function digitFolder(dir: string, digit: number, count: number, inkOnPaper = false): Promise<void> {
  const [images, labels] = [await loadMnist('test', { limit: 500 }), await loadMnistLabels('test', { limit: 500 })];
  await mkdir(dir, { recursive: true });
  let written = 0;
  for (let i = 0; i < labels.length && written < count; i++) {
    if (labels[i] !== digit) continue;
    const pixels = (images.data as Uint8Array).subarray(i * 784, (i + 1) * 784);
    await writeFile(
      join(dir, `${digit}-${written++}.png`),
      encodePng({ width: 28, height: 28, data: inkOnPaper ? pixels.map((v) => 255 - v) : pixels, channels: 1 }),
    );
  }
}

describe('wgan-edge finetune', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-finetune-'));
    await digitFolder(join(dir, 'sevens'), 7, 6);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('tunes mnist on six sevens: a model folder whose generator draws from anchors in the sevens component, and a preview', async () => {
    const out = join(dir, 'tuned');
    await finetune([
      '--model',
      'mnist',
      '--images',
      join(dir, 'sevens'),
      '--out',
      out,
      '--steps',
      '2',
      '--seed',
      '3',
      '--backend',
      'wasm',
    ]);
    const tuned = await loadModelDir(out);
    const base = await loadShippedModel('mnist');
    // The shipped model's sevens component (component k draws digit k: models/mnist/README.md),
    // and an anchor between each pair of the six images, nearest that component's centre.
    const anchors = tuned.architecture.latentAnchors as LatentAnchors;
    expect(anchors.points).toHaveLength(15);
    const centres = mixtureCentres(10, 118);
    const distance = (p: number[], k: number) => Math.hypot(...p.map((v, t) => v - centres[k * 118 + t]));
    for (const p of anchors.points)
      expect(
        Array.from({ length: 10 }, (_, k) => distance(p, k)).indexOf(
          Math.min(...Array.from({ length: 10 }, (_, k) => distance(p, k))),
        ),
      ).toBe(7);
    expect(tuned.provenance).toMatchObject({
      dataset: 'mnist',
      steps: base.provenance.steps! + 2,
      seed: 3,
      fineTune: { images: 6, steps: 2, components: [7] },
    });
    expect(tuned.critic).toBeDefined();
    expect(await exists(join(out, 'samples.png'))).toBe(true);
    // float16 like the shipped model.
    expect(await readFile(join(out, 'model.json'), 'utf8')).toMatch(/float16/);
    await expect(finetune(['--model', 'mnist', '--images', join(dir, 'sevens'), '--out', out])).rejects.toThrow(
      /already holds a model/,
    );
  });

  it('tunes mnist-conditional toward --label 7: the label picks the component, the images place the anchors', async () => {
    const out = join(dir, 'tuned-label');
    const args = ['--images', join(dir, 'sevens'), '--out', out, '--steps', '1', '--backend', 'wasm'];
    await finetune(['--model', 'mnist-conditional', '--label', '7', ...args]);
    const tuned = await loadModelDir(out);
    expect(tuned.architecture).toMatchObject({ latentComponents: 10 });
    expect(tuned.architecture.labels).toBeUndefined();
    const centres = mixtureCentres(10, 118);
    const nearest = (p: number[]) => {
      const d = Array.from({ length: 10 }, (_, k) => Math.hypot(...p.map((v, t) => v - centres[k * 118 + t])));
      return d.indexOf(Math.min(...d));
    };
    const anchors = tuned.architecture.latentAnchors as LatentAnchors;
    expect(anchors.points.map(nearest)).toEqual(anchors.points.map(() => 7));
    expect(tuned.provenance).toMatchObject({ labelsAsComponents: 10, fineTune: { components: [7] } });
  });

  it('refuses no images, one image, a file that is not an image, ink on paper, a model without a critic, a bad --label', async () => {
    const run = (images: string, ...more: string[]) =>
      finetune(['--model', 'mnist', '--images', images, '--out', join(dir, 'never'), '--steps', '1', ...more]);
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await writeFile(join(empty, 'notes.txt'), 'no images here');
    await expect(run(empty)).rejects.toThrow(
      new UsageError(`--images ${empty}: the folder holds no .png, .jpg or .jpeg files.`),
    );
    const one = join(dir, 'one');
    await digitFolder(one, 3, 1);
    await expect(run(one)).rejects.toThrow(/^--images .*: fine-tune images: 1 image; a fine-tune needs at least 2/);
    const broken = join(dir, 'broken');
    await digitFolder(broken, 3, 3);
    await writeFile(join(broken, 'z.png'), 'not a png at all');
    await expect(run(broken)).rejects.toThrow(/z\.png: (not a PNG or JPEG file|cannot decode image)/);
    const paper = join(dir, 'paper');
    await digitFolder(paper, 3, 3, true);
    await expect(run(paper)).rejects.toThrow(
      /a light background \(1\.00\) and mnist draws on a dark background .* Pass --invert to tune on their negatives\.$/,
    );
    await expect(run(join(dir, 'missing'))).rejects.toThrow(/--images .*missing: not a folder/);
    const noCritic = join(dir, 'no-critic');
    await saveModelDir(noCritic, { ...(await loadShippedModel('mnist')), critic: undefined });
    await expect(finetune(['--model', noCritic, '--images', one, '--out', join(dir, 'never')])).rejects.toThrow(
      /has no critic/,
    );
    await expect(finetune(['--images', one, '--out', join(dir, 'never')])).rejects.toThrow(/finetune needs --model/);
    await expect(run(join(dir, 'sevens'), '--label', '7')).rejects.toThrow(
      new UsageError(
        '--label: mnist is not conditional: it draws one distribution and has no classes for label 7 to pick; leave the label out (the images alone say what to draw)',
      ),
    );
    await expect(
      finetune(['--model', 'mnist-conditional', '--images', one, '--out', join(dir, 'never'), '--label', '10']),
    ).rejects.toThrow(
      /^--label: fineTune: label must be an integer from 0 to 9 \(mnist-conditional has 10 classes\), got 10$/,
    );
    expect(await exists(join(dir, 'never', 'model.json'))).toBe(false);
  });
});
