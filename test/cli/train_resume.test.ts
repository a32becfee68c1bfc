// `wgan-edge train --resume` goes on with the run's own settings. A flag given again must repeat
// the checkpoint's value (the trainer is rebuilt from its state, so another value would be ignored
// without a word), a refused resume leaves the folder as it was, and the model folder's weight
// storage carries over unless --storage is given.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { UsageError } from '../../src/cli/errors';
import { train } from '../../src/cli/train';
import { loadStateDir } from '../../src/io/state_file';
import type { TrainerState } from '../../src/train/state';
import { folderBytes } from '../helpers/folder_bytes';
import { TINY, tiny } from './tiny_run';

const trainerState = async (out: string) =>
  ((await loadStateDir(join(out, 'checkpoint'))) as { trainer: TrainerState }).trainer;
const storages = async (out: string) =>
  (
    JSON.parse(await readFile(join(out, 'model.json'), 'utf8')).weightsManifest as {
      weights: { quantization?: { dtype: string } }[];
    }[]
  ).flatMap((g) => g.weights.map((w) => w.quantization?.dtype ?? 'float32'));

describe('wgan-edge train --resume', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-resume-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("refuses a setting other than the run's, naming the flag, both values and the folder, and changes nothing", async () => {
    const out = join(dir, 'run');
    await train([...TINY, '--steps', '1', '--lr', '3e-3', '--ema', '0.9', '--seed', '5', '--out', out]);
    const trainer = await trainerState(out);
    expect(trainer.settings).toMatchObject({ learningRate: 3e-3, emaDecay: 0.9, batchSize: 32 });
    expect(trainer.seed).toBe(5);
    const before = await folderBytes(out);
    for (const [flags, message] of [
      [['--data', '25gaussians'], 'with --data 8gaussians, not --data 25gaussians'],
      [['--loss', 'wgan'], 'with --loss wgan-gp, not --loss wgan'],
      [['--dim', '8'], 'with --dim 16, not --dim 8'],
      [['--batch', '16'], 'with --batch 32, not --batch 16'],
      [['--lr', '1e-4'], 'with --lr 0.003, not --lr 0.0001'],
      [['--ema', '0.99'], 'with --ema 0.9, not --ema 0.99'],
      [['--seed', '6'], 'with --seed 5, not --seed 6'],
    ] as const) {
      const refused = train([...tiny(...flags), '--steps', '2', '--out', out, '--resume']);
      await expect(refused).rejects.toThrow(UsageError);
      await expect(refused).rejects.toThrow(`--resume: ${out} was trained ${message}.`);
    }
    expect(await folderBytes(out)).toEqual(before);
    // The same values again, or none, go on with the run.
    await train([...TINY, '--lr', '3e-3', '--ema', '0.9', '--seed', '5', '--steps', '2', '--out', out, '--resume']);
    await train(['--data', '8gaussians', '--backend', 'cpu', '--steps', '3', '--out', out, '--resume']);
    expect((await trainerState(out)).step).toBe(3);
  });

  it('says when the run had no such setting', async () => {
    const out = join(dir, 'plain');
    await train([...TINY, '--loss', 'wgan', '--steps', '1', '--out', out]); // WGAN keeps no average
    await expect(train([...TINY, '--ema', '0.999', '--steps', '2', '--out', out, '--resume'])).rejects.toThrow(
      `--resume: ${out} was trained without --ema, not --ema 0.999.`,
    );
    await expect(train([...TINY, '--lr-decay', '1', '--steps', '2', '--out', out, '--resume'])).rejects.toThrow(
      `--resume: ${out} was trained without --lr-decay, not --lr-decay 1.`,
    );
  });

  it('--lr-decay: the rate falls to 0 at --steps, so a resume keeps both, and the decay starts before the end', async () => {
    const out = join(dir, 'decayed');
    await expect(train([...TINY, '--steps', '3', '--lr-decay', '3', '--out', out])).rejects.toThrow(
      '--lr-decay 3 must be below --steps (3)',
    );
    await train([...TINY, '--steps', '3', '--lr-decay', '1', '--out', out, '--lr', '1e-3']);
    expect((await trainerState(out)).settings.learningRateDecay).toEqual({ start: 1, end: 3 });
    const before = await folderBytes(out);
    await expect(train([...TINY, '--steps', '5', '--out', out, '--resume'])).rejects.toThrow(
      `--resume: ${out} decays its learning rate to 0 at step 3; --steps must be 3, not 5.`,
    );
    await expect(train([...TINY, '--steps', '3', '--lr-decay', '2', '--out', out, '--resume'])).rejects.toThrow(
      `--resume: ${out} was trained with --lr-decay 1, not --lr-decay 2.`,
    );
    expect(await folderBytes(out)).toEqual(before);
  });

  it('--latent-mixture: kept in the model and its run, refused where the latent is too short or a model decides', async () => {
    await expect(
      train([...TINY, '--steps', '1', '--latent-mixture', '2', '--out', join(dir, 'short')]),
    ).rejects.toThrow("--latent-mixture 2: the mlp generator's latent has 2 values; K must be below that.");
    const out = join(dir, 'mixture');
    const digits = ['--data', 'mnist', '--dim', '2', '--batch', '4', '--backend', 'cpu'];
    await train([...digits, '--steps', '1', '--latent-mixture', '10', '--out', out]);
    expect(JSON.parse(await readFile(join(out, 'model.json'), 'utf8')).architecture.latentComponents).toBe(10);
    await expect(train([...digits, '--steps', '2', '--latent-mixture', '5', '--out', out, '--resume'])).rejects.toThrow(
      `--resume: ${out} was trained with --latent-mixture 10, not --latent-mixture 5.`,
    );
    await train([...digits, '--steps', '2', '--out', out, '--resume']);
    expect((await trainerState(out)).arch.latentComponents).toBe(10);
    await expect(
      train([...digits, '--steps', '3', '--init', out, '--latent-mixture', '10', '--out', join(dir, 'tuned')]),
    ).rejects.toThrow(`--init ${out}: the model's generator decides its latent; drop --latent-mixture.`);
    await train([
      '--data',
      'mnist',
      '--backend',
      'cpu',
      '--batch',
      '4',
      '--steps',
      '3',
      '--init',
      out,
      '--out',
      join(dir, 'tuned'),
    ]);
    expect(JSON.parse(await readFile(join(dir, 'tuned', 'model.json'), 'utf8')).architecture.latentComponents).toBe(10);
  });

  it("keeps the model folder's storage unless --storage is given", async () => {
    const out = join(dir, 'stored');
    await train([...TINY, '--steps', '1', '--storage', 'uint8', '--out', out]);
    await train([...TINY, '--steps', '2', '--out', out, '--resume']);
    expect(new Set(await storages(out))).toEqual(new Set(['uint8']));
    await train([...TINY, '--steps', '3', '--storage', 'float16', '--out', out, '--resume']);
    expect(new Set(await storages(out))).toEqual(new Set(['float16']));
    await train([...TINY, '--steps', '4', '--out', out, '--resume']);
    expect(new Set(await storages(out))).toEqual(new Set(['float16']));
  });
});
