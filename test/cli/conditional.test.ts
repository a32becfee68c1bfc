// The CLI on class-conditional models: train --conditional, sample --label, eval's per-label
// accuracy, and the refusals (the built dist/cli.cjs, as cli.test.ts).
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { archConfig } from '../../src/models/config';
import { runCli } from '../helpers/cli';
import { saveUntrainedModel } from '../helpers/untrained_model';
import { TINY } from './tiny_run';

const cli = (...args: string[]) => runCli(args, { timeout: 180_000 });

describe('wgan-edge on conditional models', () => {
  let dir: string;
  let digits: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-conditional-'));
    await initBackend({ backend: 'cpu' });
    digits = await saveUntrainedModel(join(dir, 'digits'), archConfig('dcgan28', { dim: 4, labels: 10 }), 1);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('sample --label K draws class K; a label out of range, or on an unconditional model, is a usage error', async () => {
    const ok = await cli(
      'sample',
      '--model',
      digits,
      '--n',
      '4',
      '--label',
      '7',
      '--backend',
      'cpu',
      '--out',
      join(dir, 'sevens.png'),
    );
    expect(ok.code, ok.stderr).toBe(0);
    await access(join(dir, 'sevens.png'));
    const [seven, three] = await Promise.all(
      ['7', '3'].map(async (label) => {
        const out = join(dir, `label-${label}.json`);
        expect(
          (await cli('sample', '--model', digits, '--n', '2', '--label', label, '--backend', 'cpu', '--out', out)).code,
        ).toBe(0);
        return JSON.parse(await readFile(out, 'utf8')).samples;
      }),
    );
    expect(seven).not.toEqual(three);
    const range = await cli('sample', '--model', digits, '--label', '10', '--out', join(dir, 'x.png'));
    expect(range.code).toBe(2);
    expect(range.stderr).toContain(`--label 10: ${digits} has labels 0 to 9.`);
    const plain = await cli('sample', '--model', '8gaussians', '--label', '1', '--out', join(dir, 'y.png'));
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/--label 1: .*8gaussians is unconditional and takes no --label\./);
  });

  it("eval adds each label's accuracy by the classifier", async () => {
    const r = await cli('eval', '--model', digits, '--data', 'mnist', '--n', '64', '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    const q = JSON.parse(r.stdout);
    expect(q.labelAccuracy).toHaveLength(10);
    expect(q.labelSamples).toBe(7);
    for (const a of q.labelAccuracy) expect(Number.isInteger(a * 7)).toBe(true);
    expect(q.labelAccuracyMean).toBeCloseTo(q.labelAccuracy.reduce((x: number, y: number) => x + y, 0) / 10, 9);
  });

  it('train --conditional records the labels and resumes with them; a set without labels is refused', async () => {
    const out = join(dir, 'run');
    const first = await cli(
      'train',
      '--data',
      'mnist',
      '--conditional',
      '--dim',
      '2',
      '--batch',
      '4',
      '--steps',
      '1',
      '--backend',
      'cpu',
      '--out',
      out,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'model.json'), 'utf8')).architecture.labels).toBe(10);
    const resumed = await cli('train', '--data', 'mnist', '--steps', '2', '--backend', 'cpu', '--out', out, '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    const toy = await cli('train', ...TINY, '--conditional', '--out', join(dir, 'toy'));
    expect(toy.code).toBe(2);
    expect(toy.stderr).toContain(
      '--conditional trains on the labels of mnist, fashion-mnist, emoji; --data 8gaussians has none.',
    );
    const plainRun = join(dir, 'plain');
    expect((await cli('train', ...TINY, '--steps', '1', '--out', plainRun)).code).toBe(0);
    const switched = await cli('train', ...TINY, '--steps', '2', '--conditional', '--resume', '--out', plainRun);
    expect(switched.code).toBe(2);
    expect(switched.stderr).toContain('was trained without --conditional, not --conditional');
    const fromModel = await cli(
      'train',
      '--data',
      dir,
      '--init',
      digits,
      '--backend',
      'cpu',
      '--out',
      join(dir, 'from-model'),
    );
    expect(fromModel.code).toBe(2);
    expect(fromModel.stderr).toContain(
      `--init ${digits} is class-conditional: it trains on the labels of mnist, fashion-mnist, emoji, and --data ${dir} has none.`,
    );
  }, 240_000);
});
