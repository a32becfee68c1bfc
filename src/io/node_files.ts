/**
 * Folders and files on a Node file system, under three rules that every writer and reader here
 * keeps:
 * - The output rule (checkOutputDir): a folder is written only where nothing is (or an empty
 *   folder), or over a folder this package wrote: one whose manifest (model.json,
 *   classifier.json) carries the package's format marker. Anything else is refused, naming it;
 *   nothing the user made is moved or deleted.
 * - Crash-safe saves (writeDirAtomically): the new folder is written beside the old one, each
 *   file and the folder fsynced, the manifest last, then swapped in by two renames; files the
 *   user added to the old folder are carried over. A save cut at any point leaves a whole old or
 *   whole new copy, and recoverDir puts the newest complete one back in place on the next start.
 * - Bounded reads (readRegularFile): regular files only, their size checked before reading.
 */
import { constants, type Stats } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ModelContents } from './codec';
import { isAlive } from './dir_lock';
import { MODEL_FORMAT, MODEL_JSON, ModelFormatError, type WeightStorage } from './format';
import { decodeModelFiles, encodeModelFiles } from './storage_files';

/** A kind of folder this package writes: its manifest file and the format marker inside it. */
export interface OwnedFolder {
  manifest: string;
  format: string;
}

export const MODEL_FOLDER: OwnedFolder = { manifest: MODEL_JSON, format: MODEL_FORMAT };

/** A manifest (model.json, classifier.json) larger than this is refused unread: a real one is a few KB. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export async function saveModelDir(
  dir: string,
  model: ModelContents,
  storage: WeightStorage = 'float32',
): Promise<void> {
  await writeDirAtomically(dir, await encodeModelFiles(model, storage), MODEL_FOLDER);
}

export async function loadModelDir(dir: string): Promise<ModelContents> {
  return decodeModelFiles(folderReader(dir), dir);
}

/**
 * Reads files of a model or classifier folder for the codec: null when a file does not exist;
 * one that is not a regular file, or larger than the codec's limit (a shard's manifest size;
 * MAX_MANIFEST_BYTES for the manifest), is a ModelFormatError naming it, found before reading.
 */
export function folderReader(dir: string): (name: string, maxBytes?: number) => Promise<Uint8Array | null> {
  return (name, maxBytes) =>
    readRegularFile(
      join(dir, name),
      maxBytes ?? MAX_MANIFEST_BYTES,
      maxBytes == null ? 'the limit for a manifest' : "what its manifest's weights need",
    ).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      if (e instanceof FileRefusedError)
        throw new ModelFormatError(e.message, e.code === 'too-large' ? 'too-large' : 'not-a-file', e.file);
      throw e;
    });
}

/** A file refused before reading: not a regular file, or larger than the caller allows. */
export class FileRefusedError extends Error {
  override name = 'FileRefusedError';
  constructor(
    message: string,
    readonly code: 'not-a-file' | 'too-large',
    readonly file: string,
  ) {
    super(message);
  }
}

/**
 * The bytes of a regular file (a link is followed only to one) of at most `maxBytes`; `rule`
 * says where the limit comes from, for the message. Devices (/dev/zero), FIFOs and folders are
 * refused before a byte is read, and opening a FIFO does not wait for a writer.
 */
export async function readRegularFile(
  path: string,
  maxBytes: number,
  rule = 'the limit for this file',
): Promise<Uint8Array> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile())
      throw new FileRefusedError(
        `${path}: is ${kindOf(info)}, not a regular file; refused unread.`,
        'not-a-file',
        path,
      );
    if (info.size > maxBytes) {
      throw new FileRefusedError(
        `${path}: is ${info.size} bytes, more than ${maxBytes} (${rule}); refused unread.`,
        'too-large',
        path,
      );
    }
    const bytes = new Uint8Array(info.size);
    let at = 0;
    while (at < bytes.length) {
      const { bytesRead } = await handle.read(bytes, at, bytes.length - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    if (at !== bytes.length) throw new Error(`${path}: shrank from ${info.size} to ${at} bytes while being read.`);
    return bytes;
  } finally {
    await handle.close();
  }
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return info.isFile() ? 'a file' : 'not a file or folder';
}

/** An output path the output rule refuses. */
export class OutputRefusedError extends Error {
  override name = 'OutputRefusedError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

/**
 * The output rule for a folder of `kind`: 'absent' (nothing there, or an empty folder) or 'ours'
 * (a folder this package wrote), else OutputRefusedError naming `what` (e.g. "--out runs/a").
 */
export async function checkOutputDir(dir: string, kind: OwnedFolder, what = dir): Promise<'absent' | 'ours'> {
  const refuse = (why: string): never => {
    throw new OutputRefusedError(
      `${what}: ${why}. A ${kind.manifest.replace(/\.json$/, '')} folder is written only where nothing is yet, into an empty folder, ` +
        `or over a folder wgan-edge wrote (its ${kind.manifest} says "format": "${kind.format}"); choose another path.`,
      dir,
    );
  };
  if (dir.trim() === '') refuse('is an empty path');
  const info = await stat(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    return refuse(`cannot be read (${e.code ?? e.message})`);
  });
  if (info == null) return 'absent';
  if (!info.isDirectory()) refuse(`is ${kindOf(info)}, not a folder`);
  const entries = await readdir(dir);
  if (entries.length === 0) return 'absent';
  if (!entries.includes(kind.manifest))
    refuse(`is a folder of other files (${describeEntries(entries)}), with no ${kind.manifest}`);
  const bytes = await readRegularFile(join(dir, kind.manifest), MAX_MANIFEST_BYTES).catch((e: Error) =>
    refuse(e.message),
  );
  let format: unknown;
  try {
    format = (JSON.parse(new TextDecoder().decode(bytes)) as { format?: unknown })?.format;
  } catch {
    format = undefined;
  }
  if (format !== kind.format)
    refuse(`holds a ${kind.manifest} that wgan-edge did not write (its format is ${JSON.stringify(format)})`);
  return 'ours';
}

/**
 * The output rule for a single file named on request (sample --out): nothing there yet, or a
 * regular file, which the caller replaces whole; anything else (a folder, a device) is refused
 * naming `what`, as is a path whose folder does not exist.
 */
export async function checkOutputFile(path: string, what = path): Promise<void> {
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw new OutputRefusedError(`${what}: cannot be read (${e.code ?? e.message}).`, path);
  });
  if (info != null && !info.isFile())
    throw new OutputRefusedError(
      `${what}: is ${kindOf(info)}; the output must be a file (new, or an existing file to replace).`,
      path,
    );
  const folder = await stat(dirname(resolve(path))).catch(() => null);
  if (folder == null || !folder.isDirectory())
    throw new OutputRefusedError(`${what}: the folder ${dirname(path)} does not exist.`, path);
}

function describeEntries(entries: string[]): string {
  const shown = entries.slice(0, 3).join(', ');
  return entries.length > 3 ? `${shown} and ${entries.length - 3} more` : shown;
}

/** The points of a save where WGAN_EDGE_KILL_AT can stop the process (tests of recovery). */
export const SAVE_POINTS = ['writing', 'written', 'moved-aside', 'swapped'] as const;
type SavePoint = (typeof SAVE_POINTS)[number];

/** Test hook: dies as `kill -9` or a power cut would, at a named point of a save. */
function killPoint(point: SavePoint): void {
  if (process.env.WGAN_EDGE_KILL_AT === point) process.kill(process.pid, 'SIGKILL');
}

/**
 * Writes every file (names may hold sub-folders) into a fresh sibling folder, fsynced, with the
 * manifest of `kind` written last, then swaps it in for `dir` under the output rule.
 */
export async function writeDirAtomically(
  dir: string,
  files: Record<string, Uint8Array>,
  kind: OwnedFolder,
): Promise<void> {
  if (!(kind.manifest in files)) throw new Error(`writeDirAtomically: the files hold no ${kind.manifest}`);
  await checkOutputDir(dir, kind);
  const target = resolve(dir);
  await mkdir(dirname(target), { recursive: true });
  const stamp = stampNow();
  const fresh = leftoverPath(target, 'new', stamp);
  await mkdir(fresh);
  try {
    const names = [...Object.keys(files).filter((name) => name !== kind.manifest), kind.manifest];
    const folders = new Set([fresh]);
    for (const [i, name] of names.entries()) {
      const file = join(fresh, name);
      if (!folders.has(dirname(file))) {
        await mkdir(dirname(file), { recursive: true });
        folders.add(dirname(file));
      }
      await writeSynced(file, files[name]);
      if (i === 0) killPoint('writing');
    }
    for (const folder of folders) await syncDir(folder);
  } catch (e) {
    await rm(fresh, { recursive: true, force: true });
    throw e;
  }
  killPoint('written');
  await swapIn(fresh, target);
  // Copies an earlier cut save left are older than this one: recovery must never prefer them.
  for (const l of await findLeftovers(target)) {
    if (l.stamp < stamp && !isAlive(Number(l.stamp.split('-')[1]))) await rm(l.path, { recursive: true, force: true });
  }
}

/**
 * Puts the complete folder `fresh` at `target`. Entries of the old target that `fresh` lacks
 * (the user's notes, samples) are moved into it first, so the old folder then holds only what
 * this package wrote and is the one thing ever deleted recursively.
 */
async function swapIn(fresh: string, target: string): Promise<void> {
  const parent = dirname(target);
  let old: string | null = null;
  if (await exists(target)) {
    await carryOver(target, fresh);
    old = leftoverPath(target, 'old', stampOf(fresh)!);
    await rename(target, old);
    await syncDir(parent);
    killPoint('moved-aside');
  }
  try {
    await rename(fresh, target);
  } catch (e) {
    if (old != null) await rename(old, target);
    throw e;
  }
  await syncDir(parent);
  killPoint('swapped');
  if (old != null) await rm(old, { recursive: true, force: true });
}

/** Moves every entry of `from` that `to` lacks into `to`, looking inside folders both hold. */
async function carryOver(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const [source, dest] = [join(from, entry.name), join(to, entry.name)];
    const there = await stat(dest).catch(() => null);
    if (there == null) await rename(source, dest);
    else if (entry.isDirectory() && there.isDirectory()) await carryOver(source, dest);
  }
}

/**
 * After a save was cut short (kill, power cut), `dir`'s parent may hold `.<name>.new-*` and
 * `.<name>.old-*` folders. Puts the newest complete copy at `dir`: a complete new one (it was
 * written after the target), else the target, else the newest complete old one; `isComplete`
 * verifies a copy (checksums). The rest, all of them this package's own, are removed. Returns
 * a sentence saying what was recovered, or null when there was nothing to recover.
 */
export async function recoverDir(dir: string, isComplete: (copy: string) => Promise<boolean>): Promise<string | null> {
  const target = resolve(dir);
  const leftovers = await findLeftovers(target);
  if (leftovers.length === 0) return null;
  const pick = async (role: 'new' | 'old') => {
    for (const l of leftovers.filter((x) => x.role === role)) if (await isComplete(l.path)) return l.path;
    return null;
  };
  const hasTarget = await exists(target);
  const fresh = await pick('new');
  const chosen = fresh ?? (hasTarget ? null : await pick('old'));
  if (fresh != null) await swapIn(fresh, target);
  else if (chosen != null) {
    await rename(chosen, target);
    await syncDir(dirname(target));
  }
  for (const l of leftovers) if (l.path !== chosen) await rm(l.path, { recursive: true, force: true });
  const removed = leftovers.length - (chosen == null ? 0 : 1);
  const what =
    chosen == null
      ? `kept ${hasTarget ? dir : 'nothing'}`
      : `recovered ${dir} from ${basename(chosen)}, the newest complete copy`;
  return `${dir}: a save was cut short; ${what}${removed > 0 ? ` and removed ${removed} incomplete or older cop${removed === 1 ? 'y' : 'ies'}` : ''}.`;
}

interface Leftover {
  path: string;
  role: 'new' | 'old';
  stamp: string;
}

/** The target's leftover copies, newest first. */
async function findLeftovers(target: string): Promise<Leftover[]> {
  const prefix = `.${basename(target)}.`;
  const names = await readdir(dirname(target)).catch(() => [] as string[]);
  const found: Leftover[] = [];
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(new|old)-(\d{13}-\d+)$/.exec(name.slice(prefix.length)) : null;
    if (m != null) found.push({ path: join(dirname(target), name), role: m[1] as 'new' | 'old', stamp: m[2] });
  }
  return found.sort((a, b) => (a.stamp < b.stamp ? 1 : -1));
}

/** Milliseconds first (13 digits until the year 2286), so that stamps sort by time. */
const stampNow = () => `${Date.now()}-${process.pid}`;
const stampOf = (path: string) => /-(\d{13}-\d+)$/.exec(path)?.[1];
const leftoverPath = (target: string, role: 'new' | 'old', stamp: string) =>
  join(dirname(target), `.${basename(target)}.${role}-${stamp}`);
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

async function writeSynced(file: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync of a folder: its entries (new files, renames) survive a power cut. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
