/** NumPy .npy (format 1.0) for uint8 and float32 arrays, C order. */
export type NpyDtype = 'uint8' | 'float32';

/** The header of an array of `shape`: written first, the values follow (possibly in pieces, as sample streams them). */
export function npyHeader(dtype: NpyDtype, shape: number[]): Uint8Array {
  const descr = dtype === 'uint8' ? '|u1' : '<f4';
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64.
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  return out;
}
