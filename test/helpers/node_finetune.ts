/**
 * The Node side of the Chromium fine-tune test (test/browser/finetune_quality.test.ts), as
 * browser commands run by the test server: the ten MNIST test images of a digit that
 * docs/finetune.md and the bench pick (pickShots), as PNG files, and `wgan-edge finetune` on them
 * with its defaults on WASM with one thread, in a child process (dist/cli.cjs) so that the test
 * server stays free while it runs. The library is read from dist/ (the build `npm test` makes
 * first): this file runs in the test server's own Node, which cannot import tfjs' ESM sources.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserCommand } from 'vitest/node';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/cli.cjs');
/** The bench's protocol (bench/few_shot.ts FEW_SHOT): ten shots, seed 26 + digit. */
const SHOTS = 10;
const PICK_SEED = 26;

interface NodeRun {
  /** The fine-tuned model folder's files, base64. */
  files: Record<string, string>;
  /** The CLI's summary line (steps, components, seconds, backend, threads). */
  summary: Record<string, unknown>;
}

let running: Promise<NodeRun> | null = null;

/** Writes the digit's shots as PNGs, starts the CLI's fine-tune on them, and returns the PNGs (base64) at once. */
export const startNodeFineTune: BrowserCommand<[digit: number]> = async (_context, digit) => {
  const lib = createRequire(import.meta.url)(join(ROOT, 'dist/index.node.cjs'));
  const [images, labels] = await Promise.all([lib.loadMnist('test'), lib.loadMnistLabels('test')]);
  const { shots } = lib.pickShots(labels, digit, SHOTS, 0, PICK_SEED) as { shots: number[] };
  const dir = await mkdtemp(join(tmpdir(), 'wgan-edge-finetune-quality-'));
  await mkdir(join(dir, 'shots'));
  const pngs: string[] = [];
  for (const [k, index] of shots.entries()) {
    const png: Uint8Array = lib.encodePng({
      width: 28,
      height: 28,
      channels: 1,
      data: images.data.subarray(index * 784, (index + 1) * 784),
    });
    await writeFile(join(dir, 'shots', `${k}.png`), png);
    pngs.push(Buffer.from(png).toString('base64'));
  }
  const out = join(dir, 'tuned');
  const args = [
    CLI,
    'finetune',
    '--model',
    'mnist',
    '--images',
    join(dir, 'shots'),
    '--out',
    out,
    '--backend',
    'wasm',
    '--threads',
    '1',
    '--storage',
    'float32',
    '--json',
  ];
  running = new Promise<string>((done, fail) =>
    execFile('node', args, { cwd: ROOT }, (error, stdout, stderr) =>
      error ? fail(new Error(`${error.message}\n${stderr}`)) : done(stdout),
    ),
  )
    .then(async (stdout) => {
      const files: Record<string, string> = {};
      for (const name of await readdir(out)) files[name] = (await readFile(join(out, name))).toString('base64');
      return { files, summary: JSON.parse(stdout.trim().split('\n').at(-1)!) };
    })
    .finally(() => rm(dir, { recursive: true, force: true }));
  running.catch(() => {});
  return pngs;
};

/** The model the CLI wrote, once it has finished. */
export const nodeFineTuneResult: BrowserCommand<[]> = async () => {
  if (running == null) throw new Error('nodeFineTuneResult: call startNodeFineTune first');
  return running;
};
