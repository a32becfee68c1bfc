/**
 * The API's tiers in the built package: wgan-edge (dist/index.node.cjs) exports what users need,
 * wgan-edge/internals (dist/internals.cjs) the building blocks, and both run on one copy of the
 * library's modules (an error class from one is the other's).
 */
import { describe, expect, it } from 'vitest';
import { NODE_ENTRY, NODE_INTERNALS, markedJson, node } from './helpers';

const INTERNAL = [
  'criticTerms',
  'generatorLoss',
  'gradientPenalty',
  'readParams',
  'assignParams',
  'checkArrays',
  'Rng',
  'latents',
  'renderSamples',
  'prepareFineTune',
];

const SCRIPT = `
const lib = require(${JSON.stringify(NODE_ENTRY)});
const internals = require(${JSON.stringify(NODE_INTERNALS)});
const internal = ${JSON.stringify(INTERNAL)};
let seedError = null;
try { new internals.Rng(-1); } catch (e) { seedError = e; }
process.stdout.write('\\nTIERS ' + JSON.stringify({
  inInternals: internal.filter((name) => typeof internals[name] === 'function'),
  inPublic: internal.filter((name) => name in lib),
  publicHas: ['sampleGenerator', 'Trainer', 'ConfigError', 'loadModelDir'].filter((name) => typeof lib[name] === 'function'),
  oneConfigError: seedError instanceof lib.ConfigError,
  code: seedError && seedError.code,
}) + '\\n');
`;

describe('wgan-edge and wgan-edge/internals, built', () => {
  it('the building blocks are in internals only, on the same modules as the entry', async () => {
    const run = await node(['-e', SCRIPT]);
    expect(run.code).toBe(0);
    const tiers = markedJson<{
      inInternals: string[];
      inPublic: string[];
      publicHas: string[];
      oneConfigError: boolean;
      code: string;
    }>(run.stdout, 'TIERS');
    expect(tiers.inInternals).toEqual(INTERNAL);
    expect(tiers.inPublic).toEqual([]);
    expect(tiers.publicHas).toEqual(['sampleGenerator', 'Trainer', 'ConfigError', 'loadModelDir']);
    expect(tiers.oneConfigError).toBe(true);
    expect(tiers.code).toBe('bad-seed');
  });
});
