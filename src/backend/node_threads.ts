/**
 * WASM threads in Node. tfjs-backend-wasm 4.22 keeps Node on its single-threaded build: its flag
 * WASM_HAS_MULTITHREAD_SUPPORT is false whenever IS_NODE (tfjs issue 3830). Its threaded build
 * (emscripten pthreads, tfjs-backend-wasm-threaded-simd.wasm) has Node code paths on
 * worker_threads, and with the flag forced three things still stop it:
 *
 * 1. tfjs hands emscripten the pthread worker script as a `blob:` URL, which Node's Worker
 *    refuses (ERR_WORKER_PATH, thrown by `new Worker(pthreadMainJs)` in emscripten's
 *    PThread.allocateUnusedWorker, so setBackend('wasm') fails);
 * 2. it sends every worker the main glue as a Blob, which the worker's importScripts (a
 *    fs.readFileSync) cannot read; and in a bundle that glue refers to the bundler's own names
 *    (`require$$0`, `commonjsGlobal`), which do not exist in the worker;
 * 3. the C++ side caps the pool at emscripten_num_logical_cores() / 2, which under Node is
 *    os.cpus().length / 2: 1 thread on a 2-core machine, whatever setThreadsCount asked
 *    (withThreadCapLifted, below, shared with the browser path in init.ts).
 *
 * So, in Node only: the worker is a small file written once to the temp folder that loads tfjs'
 * own emscripten worker runtime and glue from the installed @tensorflow/tfjs-backend-wasm (the
 * files its bundle is built from; the version must match the bundled one); while the backend
 * starts, URL.createObjectURL answers emscripten's request for the worker blob with that file's
 * path, and os.cpus() lists 2 x threads entries. Running pthreads are unref'd afterwards: the
 * XNNPACK pool's threads wait forever and would otherwise keep Node from exiting.
 */
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

const WORKER_RUNTIME = 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
const GLUE = 'wasm-out/tfjs-backend-wasm-threaded-simd.js';
/** tfjs-backend-wasm builds with PTHREAD_POOL_SIZE 8 and caps the XNNPACK pool at 8 threads. */
export const MAX_WASM_THREADS = 8;

interface NodeModules {
  os: typeof import('node:os');
  fs: typeof import('node:fs');
  path: typeof import('node:path');
  crypto: typeof import('node:crypto');
  module: typeof import('node:module');
}

function nodeModules(): NodeModules | null {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof get !== 'function') return null;
  return {
    os: get('node:os') as NodeModules['os'],
    fs: get('node:fs') as NodeModules['fs'],
    path: get('node:path') as NodeModules['path'],
    crypto: get('node:crypto') as NodeModules['crypto'],
    module: get('node:module') as NodeModules['module'],
  };
}

/**
 * tfjs' C++ side sizes its XNNPACK pool as min(max(cores / 2, 1), n) for setThreadsCount(n),
 * where cores is emscripten_num_logical_cores(): os.cpus().length in Node,
 * navigator.hardwareConcurrency elsewhere, read once, when the backend starts (the
 * BackendWasm constructor's init_with_threads_count). So a request for more than cores / 2
 * threads is cut to cores / 2 (1 on a 2-core machine). This runs `start` (which calls
 * tf.setBackend('wasm')) while `shadowCores` makes that count read 2 x threads, and undoes the
 * shadow (the function shadowCores returned) however `start` ends. Other code that reads the
 * count while the backend starts sees the shadow too.
 */
export async function withThreadCapLifted<T>(
  threads: number,
  shadowCores: (cores: number) => () => void,
  start: () => Promise<T>,
): Promise<T> {
  const restore = shadowCores(2 * threads);
  try {
    return await start();
  } finally {
    restore();
  }
}

/** Node's shadow for withThreadCapLifted: os.cpus() lists `cores` entries (the real ones, repeated). */
function shadowOsCpus(os: NodeModules['os'], cores: number): () => void {
  const cpus = os.cpus;
  os.cpus = () => {
    const real = cpus();
    return Array.from({ length: cores }, (_, i) => real[i % real.length]);
  };
  return () => {
    os.cpus = cpus;
  };
}

/** Cores Node may use; 1 where it cannot tell. */
export function nodeCores(): number {
  const os = nodeModules()?.os;
  if (os == null) return 1;
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

/** The source of the pthread worker file; `wasmOut` is the package's wasm-out folder. */
function workerSource(wasmOut: string): string {
  return [
    "'use strict';",
    "// Written by wgan-edge (src/backend/node_threads.ts): runs one pthread of tfjs-backend-wasm's",
    '// threaded build in a Node worker_threads Worker, with the emscripten files of the package.',
    `const dir = ${JSON.stringify(wasmOut)};`,
    "const { wasmWorkerContents } = require(dir + '/tfjs-backend-wasm-threaded-simd.worker.js');",
    "globalThis.WasmBackendModuleThreadedSimd = require(dir + '/tfjs-backend-wasm-threaded-simd.js');",
    '// As tfjs does before making its blob: the "\\n" escapes of the runtime are real newlines here.',
    String.raw`new Function('require', '__filename', wasmWorkerContents.replace(/\n/g, '\\n'))(require, __filename);`,
    '// The main thread sends its copy of the glue as a Blob; the same glue is loaded above.',
    'const importScript = globalThis.importScripts;',
    "globalThis.importScripts = (url) => { if (!String(url).startsWith('blob:')) importScript(url); };",
    '',
  ].join('\n');
}

interface Prepared {
  workerPath: string;
  workerBlobSize: number;
}

let prepared: Prepared | null = null;

/**
 * Finds the package's emscripten files and writes the worker file. Returns a reason when threads
 * cannot be set up here (the caller then stays on the single-threaded build).
 */
function prepare(node: NodeModules): Prepared | string {
  if (prepared != null) return prepared;
  let packageDir: string;
  let require: NodeJS.Require;
  try {
    require = node.module.createRequire(import.meta.url);
    packageDir = node.path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  } catch (e) {
    return `@tensorflow/tfjs-backend-wasm is not installed beside this script (${(e as Error).message.split('\n')[0]})`;
  }
  const installed = (require(node.path.join(packageDir, 'package.json')) as { version?: string }).version;
  if (installed !== version_wasm) {
    return `the installed @tensorflow/tfjs-backend-wasm is ${installed}, the bundled one ${version_wasm}`;
  }
  let runtime: string;
  try {
    runtime = (require(node.path.join(packageDir, WORKER_RUNTIME)) as { wasmWorkerContents: string })
      .wasmWorkerContents;
    require.resolve(node.path.join(packageDir, GLUE));
  } catch (e) {
    return `the package's emscripten files could not be loaded (${(e as Error).message.split('\n')[0]})`;
  }
  const source = workerSource(node.path.join(packageDir, 'wasm-out'));
  const hash = node.crypto.createHash('sha256').update(source).digest('hex').slice(0, 12);
  const workerPath = node.path.join(node.os.tmpdir(), `wgan-edge-wasm-pthread-${version_wasm}-${hash}.cjs`);
  try {
    if (!node.fs.existsSync(workerPath) || node.fs.readFileSync(workerPath, 'utf8') !== source) {
      const partial = `${workerPath}.${process.pid}`;
      node.fs.writeFileSync(partial, source);
      node.fs.renameSync(partial, workerPath);
    }
  } catch (e) {
    return `the pthread worker file could not be written to ${node.os.tmpdir()} (${(e as Error).message})`;
  }
  // tfjs makes its worker blob from the same runtime, escaped the same way.
  const workerBlobSize = new TextEncoder().encode(runtime.replace(/\n/g, '\\n')).length;
  prepared = { workerPath, workerBlobSize };
  return prepared;
}

/**
 * While the backend starts, sends tfjs' worker blob to the worker file instead. Only a
 * JavaScript blob of exactly the runtime's size is redirected; Node's Worker could not have
 * started a blob: URL anyway. emscripten makes all its workers then (a pool of 8, loaded before
 * the module is ready); it would only ask again for a 9th pthread, which Node cannot give it in
 * any case (the main thread waits in pthread_create while the new worker waits for the event loop).
 */
function redirectWorkerBlob(p: Prepared): () => void {
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = (obj: Blob | MediaSource) =>
    obj instanceof Blob && obj.type === 'application/javascript' && obj.size === p.workerBlobSize
      ? p.workerPath
      : createObjectURL.call(URL, obj);
  return () => {
    URL.createObjectURL = createObjectURL;
  };
}

/**
 * Makes tfjs start its threaded WASM build in Node with `threads` threads, then runs `start`
 * (which calls tf.setBackend('wasm')). Returns why threads could not be set up, or null once
 * `start` has run; `start`'s own result is the caller's to check.
 */
export async function startWithNodeThreads(
  threads: number,
  start: () => Promise<string | null>,
): Promise<{ setupFailure: string | null; startFailure: string | null }> {
  const node = nodeModules();
  if (node == null)
    return { setupFailure: 'process.getBuiltinModule is missing (Node older than 20.16)', startFailure: null };
  const p = prepare(node);
  if (typeof p === 'string') return { setupFailure: p, startFailure: null };
  const restoreBlobUrls = redirectWorkerBlob(p);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  let startFailure: string | null;
  try {
    startFailure = await withThreadCapLifted(threads, (cores) => shadowOsCpus(node.os, cores), start);
  } finally {
    restoreBlobUrls();
  }
  if (startFailure == null) unrefWasmThreads();
  return { setupFailure: null, startFailure };
}

interface PThreadModule {
  PThread?: { runningWorkers?: { unref?: () => void }[]; unusedWorkers?: unknown[] };
  tfjs?: { initWithThreadsCount?: (n: number) => void; getThreadsCount?: () => number };
}

function wasmModule(): PThreadModule | undefined {
  return (tf.findBackend('wasm') as unknown as { wasm?: PThreadModule } | null)?.wasm;
}

/** Lets Node exit while the pool's threads wait for work. */
function unrefWasmThreads(): void {
  for (const worker of wasmModule()?.PThread?.runningWorkers ?? []) worker.unref?.();
}

/**
 * Tests and benchmarks only: gives the running threaded WASM backend a new XNNPACK pool of `n`
 * threads (at most what it started with), so that 1 and n threads can take turns in one process.
 * tfjs cannot free the old pool, whose threads keep their workers: the 8 workers emscripten
 * preloads allow few switches (a pthread beyond them would hang), so this throws first.
 * Returns the thread count now in use.
 */
export function switchWasmThreads(n: number): number {
  const wasm = wasmModule();
  const tfjs = wasm?.tfjs;
  if (tfjs?.initWithThreadsCount == null || tfjs.getThreadsCount == null)
    throw new Error('the WASM backend is not running');
  const free = wasm?.PThread?.unusedWorkers?.length ?? 0;
  if (n - 1 > free) throw new Error(`a pool of ${n} threads needs ${n - 1} idle pthread workers; ${free} are left`);
  tfjs.initWithThreadsCount(n);
  unrefWasmThreads();
  return tfjs.getThreadsCount();
}
