// `wgan-edge eval --data emoji` (the built dist/cli.cjs) on a tiny untrained 9-label colour
// model. It scores the samples with the shipped emoji classifier, and its realLabelAccuracy
// equals that classifier's per-category accuracy on the emoji images counted here: those of Noto
// Emoji when it is installed (npm install --no-save emoji-datasource-google@16), else of a tiny
// package made here and found through NODE_PATH (a fresh clone). Without any, it says what to
// install.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { classifierFromContents } from '../../src/io/classifier_file';
import { classifierOutputs } from '../../src/metrics/classifier_quality';
import { archConfig } from '../../src/models/config';
import { disposeParams } from '../../src/nn/params';
import { loadClassifierDir } from '../../src/node/classifier_files';
import { EMOJI_CATEGORIES, EMOJI_PACKAGE, loadEmoji } from '../../src/node/emoji';
import { Rng } from '../../src/utils/rng';
import { runCli } from '../helpers/cli';
import { saveUntrainedModel } from '../helpers/untrained_model';

const CLASSIFIER_DIR = 'models/classifiers/emoji';

const TIMEOUT = 300_000;
const cli = (...args: string[]) => runCli(args, { timeout: TIMEOUT });

const installed = (() => {
  try {
    createRequire(__filename).resolve(`${EMOJI_PACKAGE}/package.json`);
    return true;
  } catch {
    return false;
  }
})();

/** Emoji per category in the package made here: 180 in all, so --n 90 fits its two disjoint halves. */
const FAKE_PER_CATEGORY = 20;

/**
 * A stand-in for the Noto package under `dir`/node_modules (emoji.json and 64x64 PNGs of seeded
 * colours, laid out as emoji-datasource-google lays them out); returns that node_modules.
 */
async function fakeNotoPackage(dir: string): Promise<string> {
  const modules = join(dir, 'node_modules');
  const pkg = join(modules, EMOJI_PACKAGE);
  await mkdir(join(pkg, 'img', 'google', '64'), { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: EMOJI_PACKAGE, version: '0.0.0' }));
  const entries = Array.from({ length: FAKE_PER_CATEGORY }, () => EMOJI_CATEGORIES)
    .flat()
    .map((category, i) => ({ name: `E${i}`, image: `e${i}.png`, category, sort_order: i, has_img_google: true }));
  await writeFile(join(pkg, 'emoji.json'), JSON.stringify(entries));
  const rng = new Rng(7);
  for (const e of entries) {
    const data = Uint8Array.from({ length: 64 * 64 * 4 }, (_, i) =>
      (i & 3) === 3 ? 255 : Math.floor(256 * rng.uniform()),
    );
    await writeFile(
      join(pkg, 'img', 'google', '64', e.image),
      encode({ width: 64, height: 64, channels: 4, depth: 8, data }),
    );
  }
  return modules;
}

/** A model folder of an untrained generator of `kind` with 9 labels. */
async function tinyModel(dir: string, kind: 'dcgan32' | 'dcgan28'): Promise<string> {
  return saveUntrainedModel(join(dir, kind), archConfig(kind, { dim: 4, labels: 9 }), 1);
}

describe('wgan-edge eval --data emoji', () => {
  let dir: string;
  let colour: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-eval-emoji-'));
    await initBackend({ backend: 'cpu' });
    colour = await tinyModel(dir, 'dcgan32');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.runIf(!installed)('without the Noto package, names the install', async () => {
    const r = await cli('eval', '--model', colour, '--data', 'emoji', '--backend', 'cpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--data emoji: .*'emoji-datasource-google' is not installed: npm install --no-save emoji-datasource-google@16/,
    );
  });

  it("scores per label, and gives the classifier's own per-category accuracy on the emoji images as the ceiling", async () => {
    // The installed Noto package when there is one (the CLI finds it first), else the one made here.
    const modules = installed ? null : await fakeNotoPackage(dir);
    const env: Record<string, string> = modules == null ? {} : { NODE_PATH: modules };
    const cli = (...args: string[]) => runCli(args, { timeout: TIMEOUT, env });
    const r = await cli('eval', '--model', colour, '--data', 'emoji', '--n', '90', '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    const q = JSON.parse(r.stdout);
    expect(q).toMatchObject({ data: 'emoji', samples: 90, labelSamples: 10, frechetSamples: 90 });
    expect(q.labelAccuracy).toHaveLength(9);
    for (const a of q.labelAccuracy) expect(Number.isInteger(a * 10)).toBe(true);
    expect(q.classShares).toHaveLength(9);
    // The real-vs-real floor sits below an untrained model's distance.
    expect(q.frechet).toBeGreaterThan(q.frechetRealBaseline);

    // The ceiling, counted here from the classifier's probabilities on every Noto image.
    const noto = await loadEmoji(modules == null ? {} : { directory: join(modules, EMOJI_PACKAGE) });
    const classifier = classifierFromContents(await loadClassifierDir(CLASSIFIER_DIR), CLASSIFIER_DIR);
    const { probabilities } = await classifierOutputs(classifier, noto.images);
    disposeParams(classifier);
    const right = new Array<number>(9).fill(0);
    const total = new Array<number>(9).fill(0);
    noto.labels.forEach((label, i) => {
      const row = Array.from(probabilities.subarray(i * 9, i * 9 + 9));
      total[label]++;
      if (row.indexOf(Math.max(...row)) === label) right[label]++;
    });
    const ceiling = right.map((r, k) => r / total[k]);
    expect(q.realLabelAccuracy).toHaveLength(9);
    q.realLabelAccuracy.forEach((a: number, k: number) => expect(a).toBeCloseTo(ceiling[k], 9));
    expect(q.realLabelAccuracyMean).toBeCloseTo(ceiling.reduce((a, b) => a + b, 0) / 9, 9);

    const count = noto.images.shape[0];
    const half = Math.floor(count / 2);
    const tooMany = await cli('eval', '--model', colour, '--data', 'emoji', '--n', String(half + 1));
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toContain(
      `--n ${half + 1}: the emoji measures compare with two disjoint sets of --n real emoji (of ${count}), so --n is at most ${half}.`,
    );
    const grey = await cli('eval', '--model', await tinyModel(dir, 'dcgan28'), '--data', 'emoji', '--n', '90');
    expect(grey.code).toBe(2);
    expect(grey.stderr).toMatch(/makes \[28,28,1\] samples; --data emoji needs \[32,32,3\]/);
  }, 600_000);
});
