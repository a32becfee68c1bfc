/** SHA-256 through Web Crypto, present in pages (secure contexts), workers and Node >= 20. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle == null) {
    throw new Error('crypto.subtle is not available: model checksums need a secure context (https or localhost).');
  }
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
