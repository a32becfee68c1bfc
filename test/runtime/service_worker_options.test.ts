// The service worker's options live in its script URL (what registerServiceWorker writes): read
// back at every start, so they must parse the same way each time, and refuse clearly.
import { describe, expect, it } from 'vitest';
import { RuntimeError } from '../../src/runtime/errors';
import { parseBackendOptions } from '../../src/runtime/service_worker';

const parse = (query: string) => parseBackendOptions(new URLSearchParams(query));

describe("the service worker script URL's options", () => {
  it('backend and a folder prefix, or a JSON file map as registerServiceWorker writes it', () => {
    expect(parse('')).toEqual({ backend: 'auto', wasmPaths: undefined });
    expect(parse('backend=wasm&wasmPaths=/assets/')).toEqual({ backend: 'wasm', wasmPaths: '/assets/' });
    const files = {
      'tfjs-backend-wasm.wasm': 'https://a.test/x/plain-1a2b.wasm',
      'tfjs-backend-wasm-simd.wasm': 'https://a.test/x/simd-3c4d.wasm',
    };
    const query = new URLSearchParams({ backend: 'auto', wasmPaths: JSON.stringify(files) }).toString();
    expect(parse(query)).toEqual({ backend: 'auto', wasmPaths: files });
  });

  it.each([
    ['backend=gpu', /backend must be one of auto, webgpu, wasm, cpu, got 'gpu'/],
    ['wasmPaths={"a":', /wasmPaths is not valid JSON/],
    [
      'wasmPaths={"tfjs-backend-wasm.wasm":3}',
      /wasmPaths must map \.wasm file names to URLs, got \{"tfjs-backend-wasm\.wasm":3\}/,
    ],
  ])('%s is refused: %s', (query, message) => {
    const error = (() => {
      try {
        parse(query);
      } catch (e) {
        return e;
      }
    })() as RuntimeError;
    expect(error).toBeInstanceOf(RuntimeError);
    expect(error.code).toBe('bad-request');
    expect(error.message).toMatch(message);
  });
});
