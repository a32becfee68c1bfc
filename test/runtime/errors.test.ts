import { describe, expect, it } from 'vitest';
import { fromWireError, registerErrorClass, RuntimeError, toWireError } from '../../src/runtime/errors';

class DivergedError extends Error {
  override name = 'DivergedError';
  constructor(
    message: string,
    readonly step: number,
    readonly quantities: string[],
    readonly detail: { nested: boolean },
  ) {
    super(message);
  }
}

/** What the worker boundary does: the wire form goes through structured cloning. */
const roundTrip = (error: Error) => fromWireError(structuredClone(toWireError(error)));

describe('errors across the worker boundary', () => {
  it('a registered class comes back as itself, with its plain fields; objects are not sent', () => {
    registerErrorClass(DivergedError);
    const back = roundTrip(
      new DivergedError('went NaN', 3, ['criticLoss', 'weights'], { nested: true }),
    ) as DivergedError;
    expect(back).toBeInstanceOf(DivergedError);
    expect(back).toBeInstanceOf(Error);
    expect(back.name).toBe('DivergedError');
    expect(back.message).toBe('went NaN');
    expect(back.step).toBe(3);
    expect(back.quantities).toEqual(['criticLoss', 'weights']);
    expect(back.detail).toBeUndefined();
    expect(back.stack).toContain('went NaN');
  });

  it('RuntimeError keeps its code; built-in classes stay themselves', () => {
    const runtimeError = roundTrip(new RuntimeError('no model', 'no-model'));
    expect(runtimeError).toBeInstanceOf(RuntimeError);
    expect((runtimeError as RuntimeError).code).toBe('no-model');
    expect(roundTrip(new RangeError('n must be positive'))).toBeInstanceOf(RangeError);
  });

  it('an unregistered class becomes an Error that still says its name and fields', () => {
    class Unregistered extends Error {
      override name = 'Unregistered';
      readonly code = 'x-1';
    }
    const back = roundTrip(new Unregistered('odd'));
    expect(back.constructor).toBe(Error);
    expect(back.name).toBe('Unregistered');
    expect((back as unknown as { code: string }).code).toBe('x-1');
  });

  it('AbortError comes back as a DOMException', () => {
    const back = roundTrip(new DOMException('stopped', 'AbortError'));
    expect(back).toBeInstanceOf(DOMException);
    expect(back.name).toBe('AbortError');
  });
});
