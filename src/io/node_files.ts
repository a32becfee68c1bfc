/**
 * Model folders on a Node file system. Writes are atomic: the new folder is written beside
 * the old one and swapped in by rename, so a failed or interrupted save never damages a good
 * model or checkpoint.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ModelContents } from './codec';
import type { WeightStorage } from './format';
import { decodeModelFiles, encodeModelFiles } from './storage_files';

export async function saveModelDir(dir: string, model: ModelContents, storage: WeightStorage = 'float32'): Promise<void> {
  await writeDirAtomically(dir, await encodeModelFiles(model, storage));
}

export async function loadModelDir(dir: string): Promise<ModelContents> {
  return decodeModelFiles((name) => readFile(join(dir, name)).then((b) => new Uint8Array(b), () => null), dir);
}

/** Writes every file (names may hold sub-folders) into a fresh sibling folder, then renames it over `dir`. */
export async function writeDirAtomically(dir: string, files: Record<string, Uint8Array>): Promise<void> {
  const target = resolve(dir);
  const stamp = `${process.pid}-${Date.now()}`;
  const fresh = join(dirname(target), `.${basename(target)}.new-${stamp}`);
  const old = join(dirname(target), `.${basename(target)}.old-${stamp}`);
  await mkdir(fresh, { recursive: true });
  try {
    for (const [name, bytes] of Object.entries(files)) {
      await mkdir(dirname(join(fresh, name)), { recursive: true });
      await writeFile(join(fresh, name), bytes);
    }
  } catch (e) {
    await rm(fresh, { recursive: true, force: true });
    throw e;
  }
  const hadOld = await rename(target, old).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw e;
    },
  );
  try {
    await rename(fresh, target);
  } catch (e) {
    if (hadOld) await rename(old, target);
    throw e;
  }
  if (hadOld) await rm(old, { recursive: true, force: true });
}
