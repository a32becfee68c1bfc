/** Running the built CLI (dist/cli.cjs, `npm run build` first) in a child Node process, as a user's shell does. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const CLI = join(__dirname, '../../dist/cli.cjs');

export interface CliResult {
  /** The exit status; null where the process was killed (timeout, signal). */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Milliseconds before the process is killed (default 120 s). */
  timeout?: number;
  cwd?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Node flags before the CLI's path, e.g. ['--require', hook]. */
  nodeArgs?: string[];
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      'node',
      [...(options.nodeArgs ?? []), CLI, ...args],
      {
        timeout: options.timeout ?? 120_000,
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        maxBuffer: 64 << 20,
      },
      (err, stdout, stderr) => {
        const e = err as { code?: unknown; signal?: string | null } | null;
        const code = e == null ? 0 : typeof e.code === 'number' ? e.code : null;
        resolve({ code, signal: e?.signal ?? null, stdout, stderr });
      },
    );
  });
}
