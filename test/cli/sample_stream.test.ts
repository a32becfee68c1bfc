// `wgan-edge sample` and `eval` at large n: samples drawn in batches and written as they come
// (memory flat in --n, the same values as one pass), progress on stderr, a .png grid bounded,
// and outputs the rule refuses (a folder) refused up front with no partial file left behind.
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { createGenerator } from '../../src/models';
import { archConfig } from '../../src/models/config';
import { disposeParams } from '../../src/nn/params';
import { sampleGenerator } from '../../src/sample/generate';
import { runCli } from '../helpers/cli';
import { saveUntrainedModel } from '../helpers/untrained_model';

const REPORT_MAX_RSS = join(__dirname, '../helpers/report_max_rss.cjs');

/** The CLI's run with its peak resident memory, which report_max_rss.cjs writes to stderr. */
async function cli(...args: string[]) {
  const r = await runCli(args, { nodeArgs: ['--require', REPORT_MAX_RSS] });
  return { ...r, maxRss: Number(/maxRSS (\d+)/.exec(r.stderr)?.[1]) };
}

describe('sampling and evaluating at large n', () => {
  let dir: string;
  let model: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-stream-'));
    // A narrow digit generator: the forward passes are cheap, the outputs as large as mnist's.
    await initBackend({ backend: 'cpu' });
    model = await saveUntrainedModel(join(dir, 'digits'), archConfig('dcgan28', { dim: 4 }), 1);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes 100000 digits to .npy with memory flat in --n, reporting progress', async () => {
    const small = await cli('sample', '--model', model, '--n', '2000', '--out', join(dir, 'small.npy'));
    expect(small.code, small.stderr).toBe(0);
    const big = await cli('sample', '--model', model, '--n', '100000', '--out', join(dir, 'big.npy'));
    expect(big.code, big.stderr).toBe(0);
    expect(big.stderr).toMatch(/^100000\/100000 samples/m);
    const header = (await readFile(join(dir, 'big.npy'))).subarray(0, 128).toString('latin1');
    expect(header).toContain("'shape': (100000, 28, 28, 1)");
    expect((await stat(join(dir, 'big.npy'))).size).toBe(128 + 100000 * 784);
    // 100000 digits are 78 MB as bytes and 314 MB as floats; what grows with n is the latents (51 MB).
    expect(big.maxRss - small.maxRss).toBeLessThan(200 * 2 ** 20);
    expect(big.maxRss).toBeLessThan(2 * 2 ** 30);
  });

  it('gives the values of one pass, batch after batch, as .json', async () => {
    const out = join(dir, 'two-batches.json');
    expect(
      (await cli('sample', '--model', model, '--n', '1500', '--seed', '4', '--backend', 'cpu', '--out', out)).code,
    ).toBe(0);
    const { shape, samples } = JSON.parse(await readFile(out, 'utf8'));
    expect(shape).toEqual([1500, 28, 28, 1]);
    const generator = createGenerator(archConfig('dcgan28', { dim: 4 }), 1);
    const { values } = await sampleGenerator(generator, { n: 1500, seed: 4 });
    disposeParams(generator.params);
    expect(Float32Array.from(samples.flat())).toEqual(values);
  });

  it('refuses a grid of more than 4096 digits, and a folder as --out, leaving nothing behind', async () => {
    const grid = await cli('sample', '--model', model, '--n', '5000', '--out', join(dir, 'grid.png'));
    expect(grid.code).toBe(2);
    expect(grid.stderr).toMatch(
      /^wgan-edge: --n 5000: a \.png grid holds at most 4096 samples; write \.npy or \.json for more\.$/m,
    );
    const folder = join(dir, 'folder.png');
    await mkdir(folder);
    const before = await readdir(dir);
    const r = await cli('sample', '--model', model, '--n', '5', '--out', folder);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^wgan-edge: --out ${folder}: is a folder; the output must be a file \\(new, or an existing file to replace\\)\\.$`,
        'm',
      ),
    );
    expect(await readdir(dir)).toEqual(before);
    expect(await readdir(folder)).toEqual([]);
  });

  it('eval reports progress over a million 2-D samples, and bounds --n for the digit measures naming why', async () => {
    const r = await cli('eval', '--model', '8gaussians', '--data', '8gaussians', '--n', '1000000');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^10000\/1000000 samples/m);
    expect(r.stderr).toMatch(/^1000000\/1000000 samples/m);
    expect(JSON.parse(r.stdout)).toMatchObject({ samples: 1000000, modeCount: 8 });
    const digits = await cli('eval', '--model', model, '--data', 'mnist', '--n', '6000');
    expect(digits.code).toBe(2);
    expect(digits.stderr).toMatch(
      /^wgan-edge: --n 6000: the mnist measures compare with two disjoint sets of --n real test images \(of 10000\), so --n is at most 5000\.$/m,
    );
  });
});
