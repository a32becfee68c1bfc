/** Running the built CLI (dist/cli.cjs, `npm run build` first) in a child Node process, as a user's shell does. */
import { join } from 'node:path';
import { runProcess, type ProcessResult } from './run_process';

export const CLI = join(__dirname, '../../dist/cli.cjs');

export interface CliOptions {
  /** Milliseconds before the process is killed (default 120 s). */
  timeout?: number;
  cwd?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** Node flags before the CLI's path, e.g. ['--require', hook]. */
  nodeArgs?: string[];
}

export function runCli(args: string[], options: CliOptions = {}): Promise<ProcessResult> {
  return runProcess('node', [...(options.nodeArgs ?? []), CLI, ...args], {
    timeout: options.timeout ?? 120_000,
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
  });
}
