// The request checks the library and the runtime share (src/sample/requests.ts): the same
// fields refused with the same codes; the runtime's cap and name only add to the message.
import { describe, expect, it } from 'vitest';
import { checkInterpolateRequest, checkSampleRequest, type RequestLimits } from '../../src/sample/requests';
import { ConfigError, type ConfigErrorCode } from '../../src/utils/errors';

const RUNTIME: RequestLimits = { maxSamples: 1024, what: 'sample' };

function refusal(check: () => unknown): ConfigError {
  try {
    check();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('the request was accepted');
}

describe('checkSampleRequest', () => {
  const bad: Array<[object, ConfigErrorCode, RegExp]> = [
    [{ n: 0, seed: 1 }, 'bad-n', /n must be an integer >= 1, got 0/],
    [{ n: 2.5, seed: 1 }, 'bad-n', /got 2.5/],
    [{ n: 2, seed: -1 }, 'bad-seed', /seed must be an integer in \[0, 2\^32\), got -1/],
    [{ n: 2, seed: 1, truncation: 0.001 }, 'bad-truncation', /truncation must be a number of at least 0.01/],
    [{ n: 2, seed: 1, format: 'gif' }, 'bad-format', /format must be one of float32, rgba, png, got "gif"/],
  ];
  it.each(bad)('library and runtime refuse %o with %s', (request, code, message) => {
    const library = refusal(() => checkSampleRequest(request as never));
    const runtime = refusal(() => checkSampleRequest(request as never, RUNTIME));
    expect([library.code, runtime.code]).toEqual([code, code]);
    expect(library.message).toMatch(message);
    expect(runtime.message.startsWith('sample: ')).toBe(true);
  });

  it("the runtime's cap: 1024 passes, 1025 is refused with the range in the message", () => {
    expect(checkSampleRequest({ n: 1024, seed: 0 }, RUNTIME)).toBe('float32');
    expect(checkSampleRequest({ n: 1025, seed: 0 })).toBe('float32');
    const capped = refusal(() => checkSampleRequest({ n: 1025, seed: 0 }, RUNTIME));
    expect(capped.code).toBe('bad-n');
    expect(capped.message).toBe('sample: n must be an integer in [1, 1024], got 1025');
  });

  it('a request that is not an object', () => {
    expect(refusal(() => checkSampleRequest(null as never, RUNTIME)).message).toBe(
      'sample: the request must be an object, got null',
    );
  });
});

describe('checkInterpolateRequest', () => {
  it('defaults to float32 along a slerp, and refuses each bad field with its code', () => {
    expect(checkInterpolateRequest({ from: 1, to: 2, steps: 2 })).toEqual({ format: 'float32', path: 'slerp' });
    const codes = [
      [{ from: -1, to: 2, steps: 3 }, 'bad-seed'],
      [{ from: 1, to: 2 ** 32, steps: 3 }, 'bad-seed'],
      [{ from: 1, to: 2, steps: 1 }, 'bad-steps'],
      [{ from: 1, to: 2, steps: 3, path: 'arc' }, 'bad-path'],
      [{ from: 1, to: 2, steps: 3, truncation: -1 }, 'bad-truncation'],
      [{ from: 1, to: 2, steps: 3, format: 'jpeg' }, 'bad-format'],
    ] as const;
    for (const [request, code] of codes)
      expect(refusal(() => checkInterpolateRequest(request as never)).code, JSON.stringify(request)).toBe(code);
    expect(
      refusal(() => checkInterpolateRequest({ from: 1, to: 2, steps: 1025 }, { maxSamples: 1024, what: 'interpolate' }))
        .message,
    ).toBe('interpolate: steps must be an integer in [2, 1024] (both ends are included), got 1025');
  });
});
