/** NumPy .npy: written (format 1.0) for uint8 and float32 arrays, read for float32 and float64, C order. */
export type NpyDtype = 'uint8' | 'float32';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** Readable element types: little-endian floats, returned as float32. */
const READABLE: Record<string, { bytes: number; view: (buffer: ArrayBuffer) => ArrayLike<number> }> = {
  '<f4': { bytes: 4, view: (b) => new Float32Array(b) },
  '<f8': { bytes: 8, view: (b) => new Float64Array(b) },
};

/** The header of an array of `shape`: written first, the values follow (possibly in pieces, as sample streams them). */
export function npyHeader(dtype: NpyDtype, shape: number[]): Uint8Array {
  const descr = dtype === 'uint8' ? '|u1' : '<f4';
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64.
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length);
  out.set([...MAGIC, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  return out;
}

/** A whole .npy file of `values` (uint8 or float32, C order) of `shape`. */
export function npyFile(values: Uint8Array | Float32Array, shape: number[]): Uint8Array {
  const header = npyHeader(values instanceof Uint8Array ? 'uint8' : 'float32', shape);
  const out = new Uint8Array(header.length + values.byteLength);
  out.set(header);
  out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), header.length);
  return out;
}

export interface NpyArray {
  /** The dtype the file stores ('<f4' or '<f8'); the values are float32 either way. */
  descr: string;
  shape: number[];
  values: Float32Array;
}

/** Reads a float32 or float64 .npy (versions 1 to 3, C order); `file` is named in every error. */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const fail = (why: string): never => {
    throw new Error(`${file}: ${why}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('is not a .npy file (no \\x93NUMPY magic).');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`has .npy format version ${major}; versions 1 to 3 are read.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) fail('is truncated inside its header.');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (bytes.length < dataStart) fail('is truncated inside its header.');
  const header = new TextDecoder().decode(bytes.subarray(8 + lengthBytes, dataStart));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const dims = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr == null || fortran == null || dims == null) fail(`has a header numpy did not write: ${header.trim()}`);
  const type = READABLE[descr!];
  if (type == null) fail(`holds '${descr}' values; float32 ('<f4') or float64 ('<f8') are read.`);
  if (fortran === 'True') fail('is in Fortran order; save it in C order (numpy.ascontiguousarray).');
  const shape = dims!
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`has an invalid shape (${dims}).`);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataBytes = bytes.length - dataStart;
  if (dataBytes !== count * type.bytes)
    fail(`holds ${dataBytes} bytes of values, shape [${shape}] of '${descr}' needs ${count * type.bytes}.`);
  const values = Float32Array.from(type.view(bytes.slice(dataStart).buffer));
  return { descr: descr!, shape, values };
}
