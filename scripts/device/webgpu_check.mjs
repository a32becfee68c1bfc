/**
 * The device check: the mnist recipe (WGAN-GP, dcgan28, DIM 32, batch 64) on WebGPU against
 * WASM, same seed, in one Node process. Prints one JSON line: the largest relative difference
 * of the two backends' metrics over the checked steps, the generator weights' difference after
 * them, the last checked step's metrics on both, and each backend's median step time; WebGPU's
 * also without our Adam kernel (AdamUpdate_webgpu.ts), side by side. Node gets WebGPU from Dawn
 * (npm 'webgpu') through device_setup.mjs.
 *   node --import ./scripts/device/device_setup.mjs scripts/device/webgpu_check.mjs
 */
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const lib = require('../../dist/index.node.cjs');

const CHECK_STEPS = 3;
const TIMED_STEPS = Number(process.env.TIMED_STEPS ?? 20);
const THREADS = Number(process.env.THREADS ?? 8);
// LATENT_MIXTURE=K checks the recipe with a latent mixture of K components (--latent-mixture).
const MIXTURE = process.env.LATENT_MIXTURE ? { latentComponents: Number(process.env.LATENT_MIXTURE) } : {};
const RUN = { loss: 'wgan-gp', arch: lib.archConfig('dcgan28', { dim: 32, ...MIXTURE }), seed: 11, batchSize: 64 };
const METRICS = ['criticLoss', 'wasserstein', 'penalty', 'criticGradNorm', 'generatorLoss', 'generatorGradNorm'];

async function trainOn(backend, data) {
  const report = await lib.initBackend({ backend, threads: THREADS });
  const trainer = new lib.Trainer({ ...RUN, data });
  const checked = [];
  await trainer.run({
    steps: CHECK_STEPS,
    onProgress: (m) => {
      checked.push(m);
    },
  });
  const state = await trainer.getState();
  const times = [];
  await trainer.run({
    steps: TIMED_STEPS,
    onProgress: (m) => {
      times.push(m.stepMs);
    },
  });
  trainer.dispose();
  times.sort((a, b) => a - b);
  return { report, checked, generator: state.generator, medianStepMs: times[times.length >> 1] };
}

function weightDifference(a, b) {
  let diff = 0,
    scale = 0;
  for (const [name, { values }] of Object.entries(a)) {
    const other = b[name].values;
    for (let i = 0; i < values.length; i++) {
      diff = Math.max(diff, Math.abs(values[i] - other[i]));
      scale = Math.max(scale, Math.abs(other[i]));
    }
  }
  return { maxAbs: diff, maxWeight: scale };
}

const data = await lib.mnistDataset(RUN.arch.outputRange, 'train', { limit: 4096 });
const wasm = await trainOn('wasm', data);
let webgpu;
try {
  webgpu = await trainOn('webgpu', data);
} catch (e) {
  console.log(
    JSON.stringify({ webgpu: `failed: ${e.message}`, wasm: { report: wasm.report, medianStepMs: wasm.medianStepMs } }),
  );
  process.exit(1);
}
// Our Adam kernel out of tfjs' kernel registry (global, so the bundle's too): the optimizer
// falls back to tfjs ops.
const registry = globalThis._tfGlobals.get('kernelRegistry');
const ADAM_KEY = 'webgpu_WganEdgeAdamUpdate';
const adamKernel = registry.get(ADAM_KEY);
if (adamKernel == null) throw new Error(`${ADAM_KEY} is not registered: is dist/ built from this tree?`);
registry.delete(ADAM_KEY);
const composedAdam = await trainOn('webgpu', data);
registry.set(ADAM_KEY, adamKernel);
const relative = (a, b) => Math.abs(a - b) / (1e-6 + Math.abs(b));
const worstMetric = Math.max(
  ...webgpu.checked.flatMap((m, i) => METRICS.map((k) => relative(m[k], wasm.checked[i][k]))),
);
console.log(
  JSON.stringify({
    adapter: webgpu.report.adapter,
    wasmThreads: wasm.report.threads,
    worstRelativeMetricDifference: worstMetric,
    generatorWeights: weightDifference(webgpu.generator, wasm.generator),
    medianStepMs: {
      webgpu: webgpu.medianStepMs,
      wasm: wasm.medianStepMs,
      webgpuWithoutAdamKernel: composedAdam.medianStepMs,
    },
    lastChecked: { webgpu: webgpu.checked.at(-1), wasm: wasm.checked.at(-1) },
  }),
);
process.exit(0);
