// The example apps (examples/) as a user gets them: the package packed into a tarball, each app
// copied to a work folder, the tarball installed there and the app built for production. For
// the examples' test and the web-app bench.
import { execFile } from 'node:child_process';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const ROOT = join(__dirname, '../..');

/** The build command of each bundled example, and the folder its build serves. */
export const BUNDLED_EXAMPLES = [
  { name: 'vite', build: ['vite', 'build'], served: 'dist' },
  { name: 'webpack', build: ['webpack'], served: '.' },
] as const;

/** `npm pack` of the package as built now (dist/ must be fresh); the tarball's path. */
export async function packPackage(work: string): Promise<string> {
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT });
  return join(work, stdout.trim().split('\n').pop()!);
}

/**
 * examples/<name> copied into `work`, the tarball installed there, then `build` run (npx); with
 * no build, the tarball's files are unpacked beside the page as wgan-edge/ (a static folder).
 */
export async function installExample(
  work: string,
  tarball: string,
  name: string,
  build?: readonly string[],
): Promise<string> {
  const dir = join(work, name);
  await cp(join(ROOT, 'examples', name), dir, {
    recursive: true,
    filter: (path) => !/node_modules|[/\\]dist$/.test(path),
  });
  if (build == null) {
    await run('tar', ['-xzf', tarball, '-C', dir]);
    await run('mv', [join(dir, 'package'), join(dir, 'wgan-edge')]);
    return dir;
  }
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
    cwd: dir,
    maxBuffer: 1 << 24,
  });
  await run('npx', [...build], { cwd: dir, maxBuffer: 1 << 24 });
  return dir;
}
