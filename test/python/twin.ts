/**
 * The PyTorch twin (python/wgan_edge_torch) from the tests: Debian's python3 with torch and numpy.
 * In CI (CI=true) a missing torch fails the suite with the install line; elsewhere the suite is
 * skipped, saying why.
 */
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { npyFile, parseNpy, type NpyArray } from '../../src/io/npy';
import { validateArch } from '../../src/models/config';
import { runProcess, type ProcessResult } from '../helpers/run_process';

export const ROOT = join(__dirname, '../..');
/** Debian's python, which python3-torch installs into (a pyenv python on PATH has no torch); WGAN_EDGE_PYTHON overrides it. */
export const PYTHON = process.env.WGAN_EDGE_PYTHON ?? '/usr/bin/python3';
export const INSTALL_HINT = 'apt-get install -y python3-torch python3-numpy libopenblas0-pthread';
/** Where the twin's package lives: PYTHONPATH for every run. */
export const PYTHON_ENV = { ...process.env, PYTHONPATH: join(ROOT, 'python') };

/** Why the twin cannot run here, or null. */
function torchMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.error != null) return `${PYTHON}: ${probe.error.message}; ${INSTALL_HINT}`;
  if (probe.status !== 0) return `${PYTHON} -c "import torch, numpy" failed (${probe.stderr.trim().split('\n').pop()}); ${INSTALL_HINT}`;
  return null;
}

/** A describe block that needs the twin: skipped outside CI when torch is missing, failing in CI. */
export function describeWithTorch(name: string, body: () => void): void {
  const missing = torchMissing();
  if (missing == null) {
    describe(name, body);
  } else if (process.env.CI !== 'true') {
    console.warn(`skipped '${name}': PyTorch is not installed (${missing})`);
    describe.skip(name, body);
  } else {
    describe(name, () => {
      it('finds python3 with torch and numpy (CI=true: .ci/run installs them)', () => {
        throw new Error(`PyTorch twin cannot run: ${missing}`);
      });
    });
  }
}

export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<ProcessResult> {
  return runProcess(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? PYTHON_ENV, timeout: options.timeout ?? 240_000 });
}

export async function writeNpy(path: string, values: Float32Array, shape: number[]): Promise<void> {
  await writeFile(path, npyFile(values, shape));
}

export async function readNpy(path: string): Promise<NpyArray> {
  return parseNpy(new Uint8Array(await readFile(path)), path);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

export function maxAbs(a: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]));
  return max;
}

/**
 * Each config's verdict from the twin's validate_arch and from wgan-edge's validateArch: null
 * when taken, the error's message when refused (the configs go through a JSON file in `dir`).
 */
export async function archVerdicts(configs: unknown[], dir: string): Promise<{ twin: (string | null)[]; edge: (string | null)[] }> {
  const script = `
import json, sys
from wgan_edge_torch.arch import validate_arch
out = []
for c in json.load(open(sys.argv[1])):
    try:
        validate_arch(c)
        out.append(None)
    except ValueError as e:
        out.append(str(e))
print(json.dumps(out))`;
  const path = join(dir, 'configs.json');
  await writeFile(path, JSON.stringify(configs));
  const r = await run(PYTHON, ['-c', script, path]);
  if (r.code !== 0) throw new Error(`validate_arch script failed: ${r.stderr}`);
  const edge = configs.map((c) => {
    try {
      validateArch(c as Record<string, unknown>);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  });
  return { twin: JSON.parse(r.stdout) as (string | null)[], edge };
}
