/** One child process run to its end, for the tests that drive the CLI, the built entry or the twin. */
import { execFile } from 'node:child_process';

export interface ProcessResult {
  /** The exit status; null where the process was killed (timeout, signal). */
  code: number | null;
  signal: string | null;
  /** Killed at the timeout (or by a signal), not exited. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface ProcessOptions {
  cwd?: string;
  /** The child's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds before the process is killed. */
  timeout: number;
}

export function runProcess(command: string, args: string[], options: ProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeout, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const e = err as { code?: unknown; signal?: string | null; killed?: boolean } | null;
        const code = e == null ? 0 : typeof e.code === 'number' ? e.code : null;
        resolve({ code, signal: e?.signal ?? null, timedOut: e?.killed === true, stdout, stderr });
      },
    );
  });
}
