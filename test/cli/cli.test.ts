// The built command line (dist/cli.cjs, made by `npm run build`, which `npm test` runs first).
import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { loadStateDir } from '../../src/io/state_file';
import { archConfig } from '../../src/models/config';
import type { TrainerState } from '../../src/train/state';
import { CLI, runCli } from '../helpers/cli';
import { saveUntrainedModel } from '../helpers/untrained_model';
import { TINY, tiny } from './tiny_run';

const cli = (...args: string[]) => runCli(args);

describe('wgan-edge CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('info reports the backend auto picks, and --threads reaches WASM', async () => {
    const r = await cli('info');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ backend: 'wasm', requested: 'auto', scope: 'node' });
    const threaded = await cli('info', '--threads', '2');
    expect(threaded.code).toBe(0);
    expect(JSON.parse(threaded.stdout)).toMatchObject({ backend: 'wasm', threads: 2 });
  });

  it('--help after any command prints the usage; without a terminal or --json, progress is plain lines', async () => {
    for (const args of [['--help'], ['eval', '--help'], ['train', '--data', '8gaussians', '-h']]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: wgan-edge <command>/);
    }
    const r = await cli('train', ...TINY, '--steps', '3', '--out', join(dir, 'plain'));
    expect(r.code).toBe(0);
    // The last step is always reported; no carriage returns in a log.
    expect(r.stderr).toMatch(/^step 3\/3 {2}W -?\d+\.\d{4} {2}critic -?\d+\.\d{4} {2}\d+\.\d{2} steps\/s {2}eta 0s$/m);
    expect(r.stderr).not.toContain('\r');
  });

  it('bad calls fail with one clear line and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['fly'], /unknown command 'fly'/],
      [['info', '--backend', 'tpu'], /--backend must be one of auto, webgpu, wasm, cpu \(got 'tpu'\)/],
      [['train', '--data', '8gaussians', '--out', join(dir, 'x'), '--steps', 'many'], /--steps must be an integer/],
      [['train', '--data', 'nowhere', '--out', join(dir, 'x')], /--data must be one of .* 'nowhere' is none/],
      [
        ['train', '--data', '8gaussians', '--out', join(dir, 'x'), '--loss', 'l2'],
        /--loss must be one of gan, wgan, wgan-gp, wgan-c/,
      ],
      [
        ['sample', '--model', 'no-such-model', '--out', join(dir, 'a.png')],
        /--model no-such-model: no such model folder/,
      ],
      [['sample', '--model', dir, '--out', join(dir, 'a.gif')], /must end in .json, .npy, .png/],
      [['eval', '--frobnicate'], /Unknown option '--frobnicate'/],
      [
        ['train', '--data', '8gaussians', '--out', join(dir, 'x'), '--lr', '2'],
        /--lr must be a learning rate in \(0, 1\], e.g. 4e-4 \(got '2'\)/,
      ],
      [
        ['sample', '--model', dir, '--out', join(dir, 'a.png'), '--truncation', '0'],
        /--truncation must be a number of at least 0.01 \(got '0'\)/,
      ],
      [['info', '--threads', '64'], /--threads must be an integer from 1 to 8 \(got '64'\)/],
      [
        ['train', '--data', '8gaussians', '--out', join(dir, 'x'), '--storage', 'int4'],
        /--storage must be one of float32, float16, uint8 \(got 'int4'\)/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it('trains, resumes to the same weights as an unbroken run, samples and evaluates', async () => {
    const straight = join(dir, 'straight');
    const resumed = join(dir, 'resumed');
    expect((await cli('train', ...TINY, '--steps', '6', '--seed', '7', '--out', straight, '--json')).code).toBe(0);
    const first = await cli('train', ...TINY, '--steps', '3', '--seed', '7', '--out', resumed, '--json');
    expect(first.code).toBe(0);
    const lines = first.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.slice(0, 3).map((l) => l.step)).toEqual([1, 2, 3]);
    expect(Number.isFinite(lines[0].wasserstein)).toBe(true);

    const again = await cli('train', ...TINY, '--steps', '6', '--out', resumed);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a model: pass --resume/);
    expect((await cli('train', ...TINY, '--steps', '6', '--out', resumed, '--resume')).code).toBe(0);
    expect(await readFile(join(resumed, 'generator.bin'))).toEqual(await readFile(join(straight, 'generator.bin')));
    expect(await readFile(join(resumed, 'critic.bin'))).toEqual(await readFile(join(straight, 'critic.bin')));

    // Resuming a finished run rewrites its model folder, here with float16 weights.
    expect(
      (await cli('train', ...TINY, '--steps', '6', '--out', resumed, '--resume', '--storage', 'float16')).code,
    ).toBe(0);
    const halfJson = JSON.parse(await readFile(join(resumed, 'model.json'), 'utf8'));
    expect(
      halfJson.weightsManifest[0].weights.map((w: { quantization?: { dtype: string } }) => w.quantization?.dtype),
    ).toEqual(halfJson.weightsManifest[0].weights.map(() => 'float16'));
    expect((await readFile(join(resumed, 'generator.bin'))).length * 2).toBe(
      (await readFile(join(straight, 'generator.bin'))).length,
    );
    const [full, half] = [join(dir, 'full.json'), join(dir, 'half.json')];
    await cli('sample', '--model', straight, '--n', '8', '--seed', '3', '--out', full);
    await cli('sample', '--model', resumed, '--n', '8', '--seed', '3', '--out', half);
    const [a, b] = [
      JSON.parse(await readFile(full, 'utf8')).samples.flat(),
      JSON.parse(await readFile(half, 'utf8')).samples.flat(),
    ];
    a.forEach((v: number, i: number) => expect(Math.abs(v - b[i])).toBeLessThan(1e-2));

    const json = join(dir, 's.json');
    expect((await cli('sample', '--model', straight, '--n', '5', '--seed', '3', '--out', json)).code).toBe(0);
    const { samples } = JSON.parse(await readFile(json, 'utf8'));
    expect(samples).toHaveLength(5);
    expect(samples[0]).toHaveLength(2);
    const twice = join(dir, 's2.json');
    await cli('sample', '--model', straight, '--n', '5', '--seed', '3', '--out', twice);
    expect(await readFile(twice, 'utf8')).toBe(await readFile(json, 'utf8'));

    const png = join(dir, 's.png');
    expect((await cli('sample', '--model', straight, '--n', '64', '--out', png)).code).toBe(0);
    expect(decode(await readFile(png)).width).toBe(512);

    const npy = await cli('sample', '--model', straight, '--n', '4', '--out', join(dir, 's.npy'));
    expect(npy.code).toBe(0);
    const header = (await readFile(join(dir, 's.npy'))).subarray(10, 80).toString();
    expect(header).toContain("'descr': '<f4'");
    expect(header).toContain("'shape': (4, 2)");

    const ev = await cli('eval', '--model', straight, '--data', '8gaussians', '--n', '256');
    expect(ev.code).toBe(0);
    const metrics = JSON.parse(ev.stdout);
    expect(metrics.modeCount).toBe(8);
    expect(metrics.highQualityShare).toBeGreaterThanOrEqual(0);
    expect(metrics.w1).toBeGreaterThan(0);
  });

  it('eval measures an MNIST-shaped model through the shipped classifier', async () => {
    await initBackend({ backend: 'cpu' });
    const model = await saveUntrainedModel(join(dir, 'digits'), archConfig('dcgan28', { dim: 4 }), 1);
    const r = await cli('eval', '--model', model, '--data', 'mnist', '--n', '64', '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    const q = JSON.parse(r.stdout);
    expect(q.classShares).toHaveLength(10);
    expect(q.classShares.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 6);
    // An untrained generator is far from real digits: far above the real-vs-real floor.
    expect(q.frechet).toBeGreaterThan(5 * q.frechetRealBaseline);
    const truncated = await cli(
      'eval',
      '--model',
      model,
      '--data',
      'mnist',
      '--n',
      '64',
      '--backend',
      'cpu',
      '--truncation',
      '0.5',
    );
    expect(truncated.code, truncated.stderr).toBe(0);
    const t = JSON.parse(truncated.stdout);
    expect(t.truncation).toBe(0.5);
    expect(t.frechet).not.toBe(q.frechet);
    const wrong = await cli('eval', '--model', model, '--data', '8gaussians');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/makes \[28,28,1\] samples; --data 8gaussians needs \[2\]/);
  });

  it("--init starts a run from a model's networks and counts on from its steps; --resume continues that run", async () => {
    const base = join(dir, 'base');
    expect((await cli('train', ...TINY, '--steps', '3', '--out', base)).code).toBe(0);
    // No steps of its own: the new run holds the model's weights, bit for bit (float32 storage).
    // --dim may repeat the model's own width (a recipe's flags as they are).
    const copy = join(dir, 'copy');
    expect((await cli('train', ...TINY, '--init', base, '--steps', '3', '--out', copy)).code).toBe(0);
    for (const file of ['generator.bin', 'critic.bin'])
      expect(await readFile(join(copy, file))).toEqual(await readFile(join(base, file)));
    const tuned = join(dir, 'tuned');
    expect(
      (await cli('train', ...tiny('--data', '25gaussians'), '--init', base, '--steps', '5', '--out', tuned)).code,
    ).toBe(0);
    const { provenance } = JSON.parse(await readFile(join(tuned, 'model.json'), 'utf8'));
    expect(provenance).toMatchObject({
      steps: 5,
      dataset: '25gaussians',
      initializedFrom: { model: base, dataset: '8gaussians', steps: 3 },
    });
    expect(await readFile(join(tuned, 'generator.bin'))).not.toEqual(await readFile(join(base, 'generator.bin')));
    const { trainer } = (await loadStateDir(join(tuned, 'checkpoint'))) as { trainer: TrainerState };
    expect(trainer.generatorOptimizer.updates).toBe(2);
    expect(
      (await cli('train', ...tiny('--data', '25gaussians'), '--steps', '6', '--out', tuned, '--resume')).code,
    ).toBe(0);
    expect(JSON.parse(await readFile(join(tuned, 'model.json'), 'utf8')).provenance).toMatchObject({
      steps: 6,
      initializedFrom: { steps: 3 },
    });

    for (const [args, message] of [
      [[...TINY, '--init', base, '--out', tuned, '--resume'], /--init starts a new run, and .*tuned already holds one/],
      [
        [...tiny('--dim', '32'), '--init', base, '--out', join(dir, 'wide')],
        /--init .*base: the model's networks have width 16, not --dim 32; drop --dim/,
      ],
      [
        [...TINY, '--init', join(dir, 'nowhere'), '--out', join(dir, 'lost')],
        /--model .*nowhere: no such model folder/,
      ],
    ] as const) {
      const r = await cli('train', ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const images = await cli(
      'train',
      ...tiny('--data', 'mnist'),
      '--init',
      base,
      '--out',
      join(dir, 'digits-from-points'),
    );
    expect(images.code).toBe(1);
    expect(images.stderr).toMatch(/base: its networks are .*"kind":"mlp".*; this run trains .*"kind":"dcgan28"/);
  });

  it('a second trainer on a folder being trained is refused; the first saves and frees it on Ctrl-C', async () => {
    const out = join(dir, 'busy');
    const lock = join(dir, '.busy.lock');
    const first = spawn('node', [CLI, 'train', ...TINY, '--steps', '1000000', '--out', out], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let firstErr = '';
    first.stderr.on('data', (d) => (firstErr += d));
    const exited = new Promise<number | null>((resolve) => first.on('exit', resolve));
    while (
      !(await access(lock).then(
        () => true,
        () => false,
      ))
    )
      await new Promise((r) => setTimeout(r, 50));
    const second = await cli('train', ...TINY, '--steps', '5', '--out', out, '--resume');
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is being written by another process (pid ${first.pid})`);
    first.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(firstErr).toMatch(/"stopped":"interrupted"/);
    await expect(access(lock)).rejects.toThrow();
    expect((await cli('train', ...TINY, '--steps', '1', '--out', out, '--resume')).code).toBe(0);
  });

  it('a corrupt model fails with a clear error and leaves an existing output file alone', async () => {
    const model = join(dir, 'corrupt');
    expect((await cli('train', ...TINY, '--steps', '1', '--out', model)).code).toBe(0);
    const shard = await readFile(join(model, 'generator.bin'));
    await writeFile(join(model, 'generator.bin'), shard.subarray(0, 100));
    const out = join(dir, 'keep.json');
    await writeFile(out, 'precious');
    const r = await cli('sample', '--model', model, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/generator\.bin: truncated/);
    expect(await readFile(out, 'utf8')).toBe('precious');
  });
});
