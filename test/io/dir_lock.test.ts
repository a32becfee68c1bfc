import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirLockedError, lockDir, lockFileOf } from '../../src/io/dir_lock';

/** A pid that no process holds now: a child that has already exited. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  }).stdout;
  return Number(pid);
}

describe('lockDir', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'wgan-edge-lock-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('refuses a second writer while the first holds the folder, and frees it on release', async () => {
    const dir = join(root, 'runs', 'a');
    const release = await lockDir(dir);
    const refused = await lockDir(dir).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DirLockedError);
    expect((refused as DirLockedError).pid).toBe(process.pid);
    expect((refused as Error).message).toContain(`(pid ${process.pid})`);
    expect((refused as Error).message).toContain(lockFileOf(dir));
    // Another folder in the same parent is not affected.
    const other = await lockDir(join(root, 'runs', 'b'));
    await other();
    await release();
    expect(await readdir(join(root, 'runs'))).toEqual([]);
    await (
      await lockDir(dir)
    )();
  });

  it('takes over the lock of a process that died, and of an unreadable lock file', async () => {
    const dir = join(root, 'crashed');
    const dead = deadPid();
    expect(dead).toBeGreaterThan(0);
    for (const content of [`${dead}\n`, '', 'not a pid']) {
      await writeFile(lockFileOf(dir), content);
      const release = await lockDir(dir);
      const refused = await lockDir(dir).catch((e: unknown) => e);
      expect((refused as DirLockedError).pid, JSON.stringify(content)).toBe(process.pid);
      await release();
    }
  });
});
