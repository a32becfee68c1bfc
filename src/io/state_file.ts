/**
 * Structured values holding Float32Arrays (trainer checkpoints) <-> a JSON file plus one
 * binary file. Each Float32Array becomes {"$f32": [offset, length]} into `state.bin`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const STATE_JSON = 'state.json';
const STATE_BIN = 'state.bin';

export function encodeState(value: unknown): { json: string; bin: Uint8Array } {
  const arrays: Float32Array[] = [];
  let offset = 0;
  const json = JSON.stringify(value, (_key, v) => {
    if (!(v instanceof Float32Array)) return v;
    arrays.push(v);
    const ref = { $f32: [offset, v.length] };
    offset += v.length;
    return ref;
  });
  const bin = new Float32Array(offset);
  let at = 0;
  for (const a of arrays) {
    bin.set(a, at);
    at += a.length;
  }
  return { json, bin: new Uint8Array(bin.buffer) };
}

export function decodeState(json: string, bin: Uint8Array, file: string): unknown {
  if (bin.byteLength % 4 !== 0) throw new Error(`${file}: ${STATE_BIN} is truncated (${bin.byteLength} bytes is not a whole number of floats).`);
  const floats = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  return JSON.parse(json, (_key, v) => {
    if (v == null || typeof v !== 'object' || !Array.isArray(v.$f32)) return v;
    const [offset, length] = v.$f32 as [number, number];
    if (offset + length > floats.length) throw new Error(`${file}: ${STATE_BIN} is truncated (needs ${offset + length} floats, has ${floats.length}).`);
    return floats.slice(offset, offset + length);
  });
}

/** The files of a state, under `folder` (e.g. 'checkpoint'), to write with writeDirAtomically. */
export function stateFiles(value: unknown, folder: string): Record<string, Uint8Array> {
  const { json, bin } = encodeState(value);
  return { [join(folder, STATE_JSON)]: new TextEncoder().encode(json), [join(folder, STATE_BIN)]: bin };
}

export async function loadStateDir(dir: string): Promise<unknown> {
  let json: string;
  let bin: Uint8Array;
  try {
    [json, bin] = await Promise.all([readFile(join(dir, STATE_JSON), 'utf8'), readFile(join(dir, STATE_BIN))]);
  } catch (e) {
    throw new Error(`${dir}: no checkpoint here (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  try {
    return decodeState(json, bin, dir);
  } catch (e) {
    throw new Error(`${dir}: corrupt checkpoint: ${(e as Error).message}`);
  }
}
