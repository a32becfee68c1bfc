/** Backend errors, in a module of their own (no tfjs) so a page can know them without tfjs. */

export type BackendErrorCode =
  'unknown-backend' | 'invalid-option' | 'webgpu-unavailable' | 'wasm-unavailable' | 'cpu-unavailable';

export class BackendError extends Error {
  override name = 'BackendError';
  constructor(
    message: string,
    readonly code: BackendErrorCode,
  ) {
    super(message);
  }
}
