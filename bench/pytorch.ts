/**
 * The PyTorch anchor (bench/pytorch_anchor.py) as a child process that runs one iteration per
 * request, so that its runs take turns with the tfjs ones in timeRuns.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Debian's python, which python3-torch installs into (a pyenv python on PATH has no torch). */
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./pytorch_anchor.py', import.meta.url));
export const PYTORCH_INSTALL_HINT = 'apt-get install -y python3-torch libopenblas0-pthread';

export interface PytorchAnchor {
  torchVersion: string;
  threads: number;
  /** Runs one iteration; resolves once it is done. */
  runIteration(): Promise<void>;
  close(): void;
}

/** Why the anchor cannot run here, or null when `import torch` works. */
export function pytorchMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error != null) return `PyTorch not installed (${PYTHON}: ${probe.error.message}); ${PYTORCH_INSTALL_HINT}`;
  if (probe.status !== 0) return `PyTorch not installed (${PYTHON} -c "import torch" failed); ${PYTORCH_INSTALL_HINT}`;
  return null;
}

export async function startPytorchAnchor(options: {
  dim: number;
  batch: number;
  threads: number;
}): Promise<PytorchAnchor> {
  const child = spawn(
    PYTHON,
    [SCRIPT, '--dim', String(options.dim), '--batch', String(options.batch), '--threads', String(options.threads)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextMessage = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`PyTorch anchor (${SCRIPT}) exited early with code ${child.exitCode}`);
    return JSON.parse(value) as Record<string, unknown>;
  };
  const ready = await nextMessage();
  return {
    torchVersion: String(ready.torch),
    threads: Number(ready.threads),
    async runIteration() {
      child.stdin.write('run\n');
      await nextMessage();
    },
    close() {
      child.stdin.end();
    },
  };
}
