/**
 * The gradients of the built Node entry (dist/index.node.cjs, tfjs external: tfjs-core's
 * gradient files bundled on the public tfjs-core, see scripts/rollup/tfjs_core_gradients.mjs)
 * against the ESM path this project's tests use (src/ on tfjs-core's ES modules and
 * register_all_gradients): the same gradient registry, and the same numbers for the cases of
 * parity_cases.cjs (random upstream gradients, batch > 1, a second-order WGAN-GP penalty).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import * as publicApi from '../../src/index';
import * as internals from '../../src/internals';
import { NODE_ENTRY, NODE_INTERNALS, markedJson, node } from './helpers';

interface CaseResult {
  name: string;
  output: number[];
  gradients: { shape: number[]; values: number[] }[];
}

/** The public API and wgan-edge/internals (gradientPenalty) together, as the fixture takes them. */
const lib = { ...publicApi, ...internals };
const FIXTURE = join(__dirname, 'parity_cases.cjs');
const { runParity } = createRequire(import.meta.url)(FIXTURE) as {
  runParity: (t: typeof tf, l: typeof lib) => CaseResult[];
};

/** Kernel names with a registered gradient (tfjs keeps the registry on globalThis). */
const REGISTERED = "[...globalThis._tfGlobals.get('gradRegistry').keys()].sort()";

function registeredHere(): string[] {
  return [
    ...(globalThis as unknown as { _tfGlobals: Map<string, Map<string, unknown>> })._tfGlobals
      .get('gradRegistry')!
      .keys(),
  ].sort();
}

describe('gradients of dist/index.node.cjs (tfjs external) equal the ESM path', () => {
  let built: { cases: CaseResult[]; registered: string[] };
  let here: CaseResult[];

  beforeAll(async () => {
    const script = [
      "const tf = require('@tensorflow/tfjs-core');",
      `const lib = { ...require(${JSON.stringify(NODE_ENTRY)}), ...require(${JSON.stringify(NODE_INTERNALS)}) };`,
      `const { runParity } = require(${JSON.stringify(FIXTURE)});`,
      "lib.initBackend({ backend: 'cpu' }).then(() => {",
      `  process.stdout.write('\\nPARITY ' + JSON.stringify({ cases: runParity(tf, lib), registered: ${REGISTERED} }) + '\\n');`,
      '});',
    ].join('\n');
    const run = await node(['-e', script]);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    built = markedJson(run.stdout, 'PARITY');
    await lib.initBackend({ backend: 'cpu' });
    here = runParity(tf, lib);
  });

  it("registers the same kernels' gradients", () => {
    expect(built.registered.length).toBeGreaterThan(100);
    expect(built.registered).toEqual(registeredHere());
  });

  it('gives the same outputs and gradients, to float32 rounding', () => {
    expect(built.cases.map((c) => c.name)).toEqual(here.map((c) => c.name));
    for (const [i, ours] of here.entries()) {
      const theirs = built.cases[i];
      const close = (a: number[], b: number[], what: string) => {
        expect(a.length, what).toBe(b.length);
        for (const [j, v] of a.entries()) {
          expect(Number.isFinite(v), `${what} [${j}] finite`).toBe(true);
          expect(Math.abs(v - b[j]), `${what} [${j}]: ${v} vs ${b[j]}`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(v)));
        }
      };
      close(ours.output, theirs.output, `${ours.name}: output`);
      expect(theirs.gradients.map((g) => g.shape)).toEqual(ours.gradients.map((g) => g.shape));
      for (const [k, g] of ours.gradients.entries()) {
        // A gradient of zeros would pass trivially.
        expect(Math.max(...g.values.map(Math.abs)), `${ours.name}: gradient ${k} is not all zeros`).toBeGreaterThan(
          1e-4,
        );
        close(g.values, theirs.gradients[k].values, `${ours.name}: gradient ${k}`);
      }
    }
  });
});
