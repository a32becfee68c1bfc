/**
 * One writer per model folder. A folder is saved by swapping in a fresh copy
 * (writeDirAtomically), so two trainers on one folder never corrupt it, but the later save
 * silently wins and a run's steps are lost. `lockDir` refuses the second writer instead. The
 * lock is a file beside the folder (inside, the next swap would drop it) holding the owner's
 * pid; a lock whose process has died (killed, power cut) or holds no pid is taken over. Two
 * processes starting in the same instant could both pass (one reads the other's lock before
 * its pid is written): it guards against people starting a second run, not racing programs.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export class DirLockedError extends Error {
  override name = 'DirLockedError';
  constructor(
    readonly dir: string,
    readonly lockFile: string,
    /** Null when the owner had not yet written its pid. */
    readonly pid: number | null,
  ) {
    super(
      `${dir} is being written by another process (pid ${pid ?? 'not yet written'}); stop it first, or delete ${lockFile} if no such process is running.`,
    );
  }
}

export function lockFileOf(dir: string): string {
  const target = resolve(dir);
  return join(dirname(target), `.${basename(target)}.lock`);
}

/** Takes the folder's lock, or throws DirLockedError naming the live owner. Returns the release. */
export async function lockDir(dir: string): Promise<() => Promise<void>> {
  const lockFile = lockFileOf(dir);
  await mkdir(dirname(lockFile), { recursive: true });
  // Two tries: the second follows the removal of a dead owner's lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    const handle = await open(lockFile, 'wx').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'EEXIST') return null;
      throw e;
    });
    if (handle != null) {
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(lockFile, { force: true });
    }
    const owner = await ownerOf(lockFile);
    if (owner != null && isAlive(owner)) throw new DirLockedError(dir, lockFile, owner);
    await rm(lockFile, { force: true });
  }
  // Another process took the dead owner's lock between our removal and our retry.
  throw new DirLockedError(dir, lockFile, await ownerOf(lockFile));
}

/** The pid in a lock file; null when it is gone or unreadable (then the lock is stale). */
async function ownerOf(lockFile: string): Promise<number | null> {
  const text = await readFile(lockFile, 'utf8').catch(() => null);
  const pid = Number(text?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Whether a process of that pid is running (this one included). */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
