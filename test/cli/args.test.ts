// Flag parsing shared by the commands (src/cli/args.ts): a negative number reaches its flag's own
// check, and a flag given twice is refused instead of silently taking its last value.
import { describe, expect, it } from 'vitest';
import { intOption, parse } from '../../src/cli/args';
import { UsageError } from '../../src/cli/errors';

const OPTIONS = { seed: { type: 'string' }, n: { type: 'string' }, resume: { type: 'boolean' } } as const;

describe('CLI flags', () => {
  it("takes a negative number as a value, so the flag's rule is what the message names", () => {
    const args = parse(['--seed', '-1', '--n', '-.5'], OPTIONS);
    expect(args).toMatchObject({ seed: '-1', n: '-.5' });
    expect(() => intOption('seed', args.seed, 0, 2 ** 32 - 1)).toThrow(
      "--seed must be an integer from 0 to 4294967295 (got '-1').",
    );
    // A flag after a string flag is still a flag.
    expect(() => parse(['--seed', '--resume'], OPTIONS)).toThrow(UsageError);
  });

  it('refuses a flag given twice, naming both values', () => {
    expect(() => parse(['--n', '3', '--seed', '1', '--n', '5'], OPTIONS)).toThrow(
      '--n is given twice (--n 3, then --n 5); give it once.',
    );
    expect(() => parse(['--resume', '--resume'], OPTIONS)).toThrow(
      '--resume is given twice (--resume, then --resume); give it once.',
    );
    expect(() => parse(['--n=3', '--n', '-4'], OPTIONS)).toThrow(
      '--n is given twice (--n 3, then --n -4); give it once.',
    );
  });
});
