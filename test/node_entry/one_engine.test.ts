/**
 * dist/index.node.cjs requires the app's tfjs instead of carrying its own: an app that requires
 * '@tensorflow/tfjs-core' itself and wgan-edge has one tfjs-core loaded, one engine and one
 * Tensor class, and tfjs warns of no second platform or kernel registration. (With tfjs bundled,
 * as before, the same script printed "Platform node has already been set", and the library's
 * tensors were of its own Tensor class.)
 */
import { describe, expect, it } from 'vitest';
import { NODE_ENTRY, NODE_INTERNALS, markedJson, node } from './helpers';

const SCRIPT = `
const warnings = [];
for (const level of ['warn', 'error', 'log']) {
  const original = console[level];
  console[level] = (...args) => { warnings.push(args.join(' ')); original(...args); };
}
const tf = require('@tensorflow/tfjs-core'); // the app's own tfjs, first
require('@tensorflow/tfjs-backend-cpu');
const engineBefore = tf.engine();
const lib = require(${JSON.stringify(NODE_ENTRY)});
const internals = require(${JSON.stringify(NODE_INTERNALS)});
(async () => {
  const report = await lib.initBackend({ backend: 'cpu' });
  // The app's tensors through the library, and the library's tensors in the app.
  const real = tf.randomNormal([4, 2], 0, 1, 'float32', 1);
  const fake = tf.randomNormal([4, 2], 0, 1, 'float32', 2);
  const critic = (x) => tf.sum(tf.square(x), 1);
  const penalty = internals.gradientPenalty(critic, real, fake, 3);
  const sampled = internals.latents(3, 2, 7);
  const coreFiles = Object.keys(require.cache).filter((f) => /tfjs-core[\\\\/]/.test(f));
  const tfjsFiles = Object.keys(require.cache).filter((f) => /@tensorflow[\\\\/]/.test(f)).map((f) => f.replace(/.*@tensorflow[\\\\/]/, ''));
  process.stdout.write('\\nRESULT ' + JSON.stringify({
    sameEngine: tf.engine() === engineBefore,
    backendSeenByApp: tf.getBackend(),
    backendReported: report.backend,
    penaltyIsAppTensor: Object.getPrototypeOf(penalty) === tf.Tensor.prototype,
    penalty: penalty.dataSync()[0],
    latentsAreAppTensor: Object.getPrototypeOf(sampled) === tf.Tensor.prototype,
    coreFiles: coreFiles.length,
    tfjsFiles,
    warnings,
  }) + '\\n');
})();
`;

describe("dist/index.node.cjs beside the app's own tfjs", () => {
  it('shares one tfjs-core, engine and Tensor class, with no double-registration warnings', async () => {
    const run = await node(['-e', SCRIPT]);
    expect(run.stderr).not.toMatch(/already been set|already registered|Error/);
    expect(run.code).toBe(0);
    const r = markedJson<Record<string, unknown>>(run.stdout, 'RESULT');
    expect(r).toMatchObject({
      sameEngine: true,
      backendSeenByApp: 'cpu',
      backendReported: 'cpu',
      penaltyIsAppTensor: true,
      latentsAreAppTensor: true,
      coreFiles: 1,
    });
    expect(Number.isFinite(r.penalty as number)).toBe(true);
    // tfjs-core, and the CPU and WASM backends; no WebGPU without a WebGPU API.
    expect(r.tfjsFiles).toEqual(
      expect.arrayContaining([
        'tfjs-core/dist/tf-core.node.js',
        'tfjs-backend-cpu/dist/tf-backend-cpu.node.js',
        'tfjs-backend-wasm/dist/tf-backend-wasm.node.js',
      ]),
    );
    expect((r.tfjsFiles as string[]).filter((f) => f.includes('webgpu'))).toEqual([]);
    expect((r.warnings as string[]).filter((w) => /already been set|already registered|overwriting/i.test(w))).toEqual(
      [],
    );
  });
});
