// Every file under a folder, by path, as base64: two snapshots are equal when nothing changed.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function folderBytes(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      files[join(entry.parentPath, entry.name)] = (await readFile(join(entry.parentPath, entry.name))).toString(
        'base64',
      );
  }
  return files;
}
