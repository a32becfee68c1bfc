/**
 * One sampler of bench/onnx.bench.ts in a worker thread: wgan-edge (the built bundle,
 * dist/index.node.cjs) or onnxruntime-web, on a WASM instance of its own with a fixed thread
 * count. Both fix their thread count when their WASM starts (tfjs' XNNPACK pool,
 * onnxruntime-web's env.wasm.numThreads, read once per instance), so each runtime and count gets
 * a worker, and all of them take turns in one process.
 *
 * workerData: { runtime: 'wgan-edge' | 'onnxruntime-web', threads, model }: a model folder for
 * wgan-edge, an .onnx file for onnxruntime-web.
 * Posts { ready: { threads, reason } } once started ({ failed: message } if it cannot start),
 * then answers each request { n, seed } (wgan-edge: sampleGenerator) or { n, latents }
 * (onnxruntime-web: the given latents) with { ms, values? }: ms times the call and the readback
 * of its output here, without the hand-over; values when the request asks `keep`.
 * { close: true } answers { tensorsLeft } (wgan-edge: tensors beyond those of the generator's
 * weights) and ends the worker.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const { runtime, threads, model } = workerData;

async function startWganEdge() {
  const edge = require('../dist/index.node.cjs');
  const { assignParams } = require('../dist/internals.cjs');
  const tf = require('@tensorflow/tfjs-core');
  const report = await edge.initBackend({ backend: 'wasm', threads });
  const contents = await edge.loadModelDir(model);
  const generator = edge.createGenerator(contents.architecture, 0);
  assignParams(generator.params, contents.generator, model);
  const weightTensors = tf.memory().numTensors;
  return {
    ready: { threads: report.threads, reason: report.reason },
    sample: async ({ n, seed }) => (await edge.sampleGenerator(generator, { n, seed })).values,
    tensorsLeft: () => tf.memory().numTensors - weightTensors,
  };
}

async function startOnnxruntimeWeb() {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  const session = await ort.InferenceSession.create(readFileSync(model), { executionProviders: ['wasm'] });
  const [input] = session.inputNames;
  const [output] = session.outputNames;
  return {
    ready: {
      threads: ort.env.wasm.numThreads,
      reason: `onnxruntime-web ${ort.env.versions.web}, wasm execution provider`,
    },
    sample: async ({ n, latents }) => {
      const outputs = await session.run({ [input]: new ort.Tensor('float32', latents, [n, latents.length / n]) });
      return outputs[output].data;
    },
    tensorsLeft: () => 0,
  };
}

let sampler;
try {
  sampler = runtime === 'wgan-edge' ? await startWganEdge() : await startOnnxruntimeWeb();
  parentPort.postMessage({ ready: sampler.ready });
} catch (e) {
  parentPort.postMessage({ failed: `${runtime} did not start: ${e?.message ?? e}` });
  process.exit(0);
}

parentPort.on('message', async (request) => {
  if (request.close) {
    parentPort.postMessage({ tensorsLeft: sampler.tensorsLeft() });
    process.exit(0);
  }
  try {
    const start = performance.now();
    const values = await sampler.sample(request);
    const ms = performance.now() - start;
    parentPort.postMessage({ ms, ...(request.keep && { values: Float32Array.from(values) }) });
  } catch (e) {
    parentPort.postMessage({ failed: `${runtime}: ${e?.message ?? e}` });
  }
});
