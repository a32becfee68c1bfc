/** Running the built Node entry (dist/) in a plain Node process, as an app does. */
import { join } from 'node:path';
import { runProcess, type ProcessResult } from '../helpers/run_process';

export const ROOT = join(__dirname, '../..');
export const NODE_ENTRY = join(ROOT, 'dist/index.node.cjs');
/** wgan-edge/internals in Node: the building blocks (gradientPenalty, latents, ...), sharing the entry's modules. */
export const NODE_INTERNALS = join(ROOT, 'dist/internals.cjs');
export { CLI } from '../helpers/cli';

/** `node -e script` (or `node file args`) in `cwd` (default: the repository, whose node_modules has the tfjs peers). */
export function node(args: string[], options: { cwd?: string; timeout?: number } = {}): Promise<ProcessResult> {
  return runProcess(process.execPath, args, { cwd: options.cwd ?? ROOT, timeout: options.timeout ?? 120_000 });
}

/** The JSON a child printed on a line of its own after `marker ` (tfjs prints its own lines too). */
export function markedJson<T>(stdout: string, marker: string): T {
  const line = stdout.split('\n').find((l) => l.startsWith(`${marker} `));
  if (line == null) throw new Error(`no ${marker} line in:\n${stdout}`);
  return JSON.parse(line.slice(marker.length + 1)) as T;
}
