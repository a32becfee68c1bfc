/**
 * Structured values holding Float32Arrays (trainer checkpoints) <-> a JSON file plus one
 * binary file. Each Float32Array becomes {"$f32": [offset, length]} into `state.bin`.
 * state.json carries the SHA-256 of the value's JSON and of state.bin, and state.bin's length:
 * a flipped byte in either file is an error, and state.bin is sized before it is read.
 */
import { join } from 'node:path';
import { MAX_MANIFEST_BYTES, readRegularFile } from './node_files';
import { sha256Hex } from './sha256';

const STATE_JSON = 'state.json';
const STATE_BIN = 'state.bin';
/** state.json as written: the checksum and length first, then the value's JSON as it was hashed. */
const LAYOUT = /^\{"sha256":"([0-9a-f]{64})","bytes":(\d+),"state":([\s\S]*)\}\n$/;

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
  if (bin.byteLength % 4 !== 0)
    throw new Error(`${file}: ${STATE_BIN} is truncated (${bin.byteLength} bytes is not a whole number of floats).`);
  const floats = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  return JSON.parse(json, (_key, v) => {
    if (v == null || typeof v !== 'object' || !Array.isArray(v.$f32)) return v;
    const [offset, length] = v.$f32 as [number, number];
    if (offset + length > floats.length)
      throw new Error(`${file}: ${STATE_BIN} is truncated (needs ${offset + length} floats, has ${floats.length}).`);
    return floats.slice(offset, offset + length);
  });
}

/** The files of a state, under `folder` (e.g. 'checkpoint'), to write with writeDirAtomically. */
export async function stateFiles(value: unknown, folder: string): Promise<Record<string, Uint8Array>> {
  const { json, bin } = encodeState(value);
  const text = `{"sha256":"${await checksum(json, bin)}","bytes":${bin.byteLength},"state":${json}}\n`;
  return { [join(folder, STATE_JSON)]: new TextEncoder().encode(text), [join(folder, STATE_BIN)]: bin };
}

export async function loadStateDir(dir: string): Promise<unknown> {
  const jsonFile = join(dir, STATE_JSON);
  const text = await readRegularFile(jsonFile, MAX_MANIFEST_BYTES, 'the limit for a checkpoint state').then(
    (b) => new TextDecoder().decode(b),
    (e: NodeJS.ErrnoException) => {
      throw new Error(
        e.code === 'ENOENT'
          ? `${dir}: no checkpoint here (${STATE_JSON} is missing).`
          : `${dir}: cannot read the checkpoint: ${e.message}`,
      );
    },
  );
  const layout = LAYOUT.exec(text);
  if (layout == null) {
    throw new Error(
      `${jsonFile}: corrupt checkpoint: not the layout wgan-edge writes (a checksum, then the state), so it cannot be verified.`,
    );
  }
  const [, sum, bytes, json] = layout;
  const bin = await readRegularFile(join(dir, STATE_BIN), Number(bytes), `the length ${STATE_JSON} records`).catch(
    (e: NodeJS.ErrnoException) => {
      throw new Error(`${dir}: corrupt checkpoint: ${e.code === 'ENOENT' ? `${STATE_BIN} is missing` : e.message}`);
    },
  );
  if (bin.byteLength !== Number(bytes)) {
    throw new Error(
      `${dir}: corrupt checkpoint: ${STATE_BIN} is ${bin.byteLength} bytes, ${STATE_JSON} records ${bytes}.`,
    );
  }
  const actual = await checksum(json, bin);
  if (actual !== sum) {
    throw new Error(
      `${dir}: corrupt checkpoint: checksum mismatch (sha256 ${actual}, ${STATE_JSON} expects ${sum}); the files were damaged after they were written.`,
    );
  }
  try {
    return decodeState(json, bin, dir);
  } catch (e) {
    throw new Error(`${dir}: corrupt checkpoint: ${(e as Error).message}`);
  }
}

/** SHA-256 of the value's JSON followed by the floats. */
function checksum(json: string, bin: Uint8Array): Promise<string> {
  const utf8 = new TextEncoder().encode(json);
  const both = new Uint8Array(utf8.length + bin.length);
  both.set(utf8);
  both.set(bin, utf8.length);
  return sha256Hex(both);
}
