// The Chromium bar (issue 26): runtime.fineTune in a worker, on the same ten MNIST test
// images (PNG files) and seed as `wgan-edge finetune --model mnist` in Node with its defaults,
// gives the same model (so the same share and nearest-shot ratio), and no long task on the page's
// main thread comes from the run: none holds a message from the worker.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import type { ModelContents } from '../../src/io/codec';
import { decodeModelFiles } from '../../src/io/storage_files';
import { createRuntime, type Runtime } from '../../src/runtime/client';
import { WASM_FILES } from './wasm_files';
import { startWorker } from './worker_url';

const MNIST_URL = '/models/mnist/';
/** The bench's default digit (bench/finetune.bench.ts). */
const DIGIT = 3;
/** How long the idle page is watched for long tasks before the run. */
const BASELINE_MS = 5000;
/**
 * Largest weight difference allowed between the worker (Chromium's WASM, 2 threads here) and
 * Node (WASM, one thread) after the default steps. Measured (at 80 steps): 0 for every weight of both networks, bit
 * for bit (XNNPACK splits the work by outputs, not within a sum); the margin is for machines
 * where the worker gets more threads.
 */
const WEIGHT_TOLERANCE = 1e-5;

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** Long tasks (over 50 ms) on this page's main thread while `work` runs. */
async function longTasksDuring(work: () => Promise<unknown>): Promise<PerformanceEntry[]> {
  const tasks: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries()));
  observer.observe({ type: 'longtask' });
  try {
    await work();
    // Entries are delivered after the task: one more turn of the event loop.
    await new Promise((r) => setTimeout(r, 100));
    tasks.push(...observer.takeRecords());
  } finally {
    observer.disconnect();
  }
  return tasks;
}

function maxDifference(a: ModelContents['generator'], b: ModelContents['generator']): number {
  let worst = 0;
  for (const [name, { values }] of Object.entries(a)) {
    expect(b[name].values.length, name).toBe(values.length);
    values.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[name].values[i]))));
  }
  return worst;
}

let runtime: Runtime;
/** When each message from the worker was handled on the page: replies on the worker, callbacks (progress, previews) on Comlink's MessagePorts. */
const messageTimes: number[] = [];
const addListener = MessagePort.prototype.addEventListener;
const removeListener = MessagePort.prototype.removeEventListener;
/** Comlink's port listeners, each wrapped to note the time it runs. */
const wrapped = new WeakMap<object, EventListener>();
beforeAll(async () => {
  MessagePort.prototype.addEventListener = function (
    this: MessagePort,
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ) {
    if (type !== 'message' || typeof listener !== 'function') return addListener.call(this, type, listener, options);
    const noted: EventListener = (event) => (messageTimes.push(performance.now()), listener.call(this, event));
    wrapped.set(listener, noted);
    return addListener.call(this, type, noted, options);
  } as typeof addListener;
  MessagePort.prototype.removeEventListener = function (
    this: MessagePort,
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ) {
    return removeListener.call(this, type, wrapped.get(listener) ?? listener, options);
  } as typeof removeListener;
  const worker = startWorker();
  worker.addEventListener('message', () => messageTimes.push(performance.now()));
  runtime = await createRuntime({ worker, backend: 'wasm', wasmPaths: WASM_FILES });
});
afterAll(() => {
  runtime.dispose();
  MessagePort.prototype.addEventListener = addListener;
  MessagePort.prototype.removeEventListener = removeListener;
});

it(`runtime.fineTune on ten test-set ${DIGIT}s (PNG files) gives the model Node's CLI gives, with no long task on the main thread`, async () => {
  const pngs = await commands.startNodeFineTune(DIGIT);
  const files = pngs.map((png, k) => new File([fromBase64(png)], `${DIGIT}-${k}.png`, { type: 'image/png' }));
  await runtime.load({ url: MNIST_URL });
  const info = await runtime.info();
  const baseline = await longTasksDuring(() => new Promise((r) => setTimeout(r, BASELINE_MS)));
  let previews = 0;
  let progress = 0;
  let seconds = 0;
  const started = performance.now();
  const during = await longTasksDuring(async () => {
    const result = await runtime.fineTune({
      images: files,
      onPreview: () => void previews++,
      onProgress: () => void progress++,
    });
    expect(result.stopped).toBe('completed');
  });
  seconds = (performance.now() - started) / 1000;
  const tuned = await runtime.exportModel();
  const node = await commands.nodeFineTuneResult();
  const nodeModel = await decodeModelFiles(
    async (name) => (name in node.files ? fromBase64(node.files[name]) : null),
    'node',
  );
  const generatorDifference = maxDifference(tuned.generator, nodeModel.generator);
  const criticDifference = maxDifference(tuned.critic!, nodeModel.critic!);
  const holdsMessage = (task: PerformanceEntry) =>
    messageTimes.some((t) => t >= task.startTime && t <= task.startTime + task.duration);
  const report = (tasks: PerformanceEntry[]) =>
    tasks.map((t) => ({ ms: Math.round(t.duration), workerMessage: holdsMessage(t) }));
  console.log(
    JSON.stringify({
      chromium: {
        backend: info.backend,
        threads: info.threads,
        seconds: Math.round(seconds * 10) / 10,
        previews,
        progress,
        messages: messageTimes.length,
        longTasks: report(during),
      },
      node: node.summary,
      idlePageLongTasks: report(baseline),
      generatorDifference,
      criticDifference,
    }),
  );
  expect(tuned.architecture.latentAnchors).toEqual(nodeModel.architecture.latentAnchors);
  expect(tuned.provenance).toMatchObject({
    steps: nodeModel.provenance.steps,
    fineTune: { images: 10, steps: (nodeModel.provenance.fineTune as { steps: number }).steps },
  });
  expect(generatorDifference).toBeLessThanOrEqual(WEIGHT_TOLERANCE);
  expect(criticDifference).toBeLessThanOrEqual(WEIGHT_TOLERANCE);
  // The worker does the work: no long task on the page's thread handles one of its messages
  // (a loaded machine can stretch the test page's own tasks past 50 ms: those are reported above).
  expect(during.filter(holdsMessage).map((t) => t.duration)).toEqual([]);
}, 600_000);
