/**
 * Backend selection: one call that picks the best tfjs backend this scope can run, and says
 * what it picked and why. Policy for `auto`: WebGPU on a hardware adapter, else WASM with
 * SIMD (threaded where the scope is cross-origin isolated, or in Node), else the plain CPU backend.
 */
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BackendError } from './errors';
import { MAX_WASM_THREADS, nodeCores, startWithNodeThreads, withThreadCapLifted } from './node_threads';
import {
  detectScope,
  hardwareConcurrency,
  hasWasm,
  hasWasmSimd,
  isCrossOriginIsolated,
  webGpuApi,
  type Scope,
} from './platform';
import { wasmPathsWithCopy, type WasmPaths } from './wasm_copy';
import { loadWebGpuBackend } from './webgpu';

export type BackendName = 'webgpu' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'webgpu', 'wasm', 'cpu'];
const AUTO_ORDER: readonly BackendName[] = ['webgpu', 'wasm', 'cpu'];
/**
 * tfjs-webgpu 4.22 batches up to 15 dispatches before submitting them; in a WGAN-GP step that
 * gives wrong gradients (samples ~0.5 off wasm's after 4 steps). Submitting after every
 * dispatch makes each step equal the cpu backend's, for ~1.4x the time on SwiftShader.
 */
const WEBGPU_SUBMIT_BATCH = 1;

export interface BackendOptions {
  /** Which backend to use; `auto` (the default) applies the policy above. */
  backend?: BackendPreference;
  /**
   * WASM threads wanted (at most 8). Default: cores / 2, tfjs' own cap (in a page, this leaves
   * a core to the page's main thread); 1 where the scope is not cross-origin isolated, and in
   * service workers. An explicit count above cores / 2 is given in both Node and
   * cross-origin isolated pages and workers: tfjs' cap is lifted while the backend starts (see
   * withThreadCapLifted). Node falls back to the single-threaded build, saying why in the
   * report's reason, if the threaded one cannot start (see node_threads.ts).
   */
  threads?: number;
  /** Where the tfjs-backend-wasm*.wasm files are: a folder/URL prefix or a file map. */
  wasmPaths?: WasmPaths;
  /**
   * A Cache API cache to keep a copy of the .wasm binary in, used when it cannot be fetched for
   * want of a network (see wasm_copy.ts). The runtime's service worker sets it. Unused where
   * there is no Cache API (Node, insecure pages).
   */
  wasmCache?: string;
  /** Let `auto` take a software WebGPU adapter (SwiftShader): slower than WASM, so off. */
  allowSoftwareWebGpu?: boolean;
}

export interface AdapterReport {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
}

export interface BackendReport {
  backend: BackendName;
  requested: BackendPreference;
  scope: Scope;
  /** Why this backend was taken. */
  reason: string;
  /** Each better backend that was passed over, and why. */
  passedOver: { backend: BackendName; reason: string }[];
  simd: boolean;
  threads: number;
  crossOriginIsolated: boolean;
  adapter: AdapterReport | null;
  /**
   * Set when `auto` fell back to the CPU backend: why, and how to get WASM. The runtime's page
   * side prints it with console.warn, since a silent CPU run is 10-40x slower.
   */
  warning?: string;
}

export { BackendError, type BackendErrorCode } from './errors';

interface Attempt {
  ok: boolean;
  reason: string;
  adapter?: AdapterReport | null;
}

export async function initBackend(options: BackendOptions = {}): Promise<BackendReport> {
  const requested = options.backend ?? 'auto';
  if (!BACKEND_PREFERENCES.includes(requested)) {
    throw new BackendError(
      `Unknown backend '${String(requested)}': use one of ${BACKEND_PREFERENCES.join(', ')}.`,
      'unknown-backend',
    );
  }
  const threads = options.threads;
  // 0, -1 or NaN would start one thread without a word: the caller meant something else.
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new BackendError(
      `threads must be an integer of at least 1 (got ${String(threads)}); leave it out for the default, cores / 2.`,
      'invalid-option',
    );
  }
  const scope = detectScope();
  const forced = requested !== 'auto';
  const candidates = forced ? [requested as BackendName] : AUTO_ORDER;
  const passedOver: BackendReport['passedOver'] = [];
  let adapter: AdapterReport | null = null;

  for (const name of candidates) {
    const attempt = await tryBackend(name, options, scope, forced);
    if (attempt.adapter !== undefined) adapter = attempt.adapter;
    if (attempt.ok) {
      return {
        backend: name,
        requested,
        scope,
        reason: attempt.reason,
        passedOver,
        simd: name === 'wasm' ? await wasmSimdInUse() : false,
        threads: name === 'wasm' ? getThreadsCount() : 1,
        crossOriginIsolated: isCrossOriginIsolated(),
        adapter,
        ...(name === 'cpu' && !forced && { warning: cpuFallbackWarning(passedOver) }),
      };
    }
    if (forced) throw forcedFailure(name, attempt.reason, options);
    passedOver.push({ backend: name, reason: attempt.reason });
  }
  throw new BackendError(
    `No tfjs backend could start here: ${passedOver.map((p) => `${p.backend}: ${p.reason}`).join('; ')}.`,
    'cpu-unavailable',
  );
}

function cpuFallbackWarning(passedOver: BackendReport['passedOver']): string {
  const wasm = passedOver.find((p) => p.backend === 'wasm');
  return (
    `wgan-edge fell back to the CPU backend, 10-40x slower than WASM` +
    (wasm == null ? '. ' : `: WASM did not start (${wasm.reason.split('\n')[0]}). `) +
    `Serve tfjs-backend-wasm.wasm, tfjs-backend-wasm-simd.wasm and tfjs-backend-wasm-threaded-simd.wasm ` +
    `with Content-Type application/wasm beside the worker script (a bundler that sees the worker does this), ` +
    `or pass their URLs as wasmPaths; backend: 'cpu' silences this warning.`
  );
}

function forcedFailure(name: BackendName, reason: string, options: BackendOptions): BackendError {
  switch (name) {
    case 'webgpu':
      return new BackendError(
        `WebGPU was requested but cannot be used: ${reason}. Use backend 'auto' to fall back ` +
          `to WASM, or run in a browser with WebGPU enabled.`,
        'webgpu-unavailable',
      );
    case 'wasm': {
      const where = options.wasmPaths == null ? 'next to the script' : JSON.stringify(options.wasmPaths);
      return new BackendError(
        `The WASM backend could not start: ${reason}. It loads tfjs-backend-wasm.wasm, ` +
          `tfjs-backend-wasm-simd.wasm and tfjs-backend-wasm-threaded-simd.wasm from ${where}: ` +
          `serve those files (Content-Type application/wasm) and pass their location as wasmPaths.`,
        'wasm-unavailable',
      );
    }
    case 'cpu':
      return new BackendError(`The CPU backend could not start: ${reason}.`, 'cpu-unavailable');
  }
}

async function tryBackend(name: BackendName, options: BackendOptions, scope: Scope, forced: boolean): Promise<Attempt> {
  switch (name) {
    case 'webgpu':
      return tryWebGpu(options, forced);
    case 'wasm':
      return tryWasm(options, scope);
    case 'cpu': {
      const failure = await startBackend('cpu');
      return failure == null
        ? { ok: true, reason: 'plain JavaScript kernels: the slowest backend, always available' }
        : { ok: false, reason: failure };
    }
  }
}

async function tryWebGpu(options: BackendOptions, forced: boolean): Promise<Attempt> {
  const gpu = webGpuApi();
  if (gpu == null) {
    return {
      ok: false,
      reason: 'navigator.gpu is missing in this scope (no WebGPU: Node, an old browser, or an insecure context)',
    };
  }
  // Loaded with this module in browsers; on demand in Node builds, where it is an optional peer.
  const loadFailure = await loadWebGpuBackend();
  if (loadFailure != null) return { ok: false, reason: loadFailure };
  let found: GPUAdapter | null;
  try {
    found = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { ok: false, reason: `requestAdapter() threw: ${(e as Error).message}` };
  }
  if (found == null) return { ok: false, reason: 'navigator.gpu.requestAdapter() returned no adapter', adapter: null };
  const adapter = describeAdapter(found);
  if (adapter.isFallbackAdapter && !forced && !options.allowSoftwareWebGpu) {
    return {
      ok: false,
      reason: `the adapter (${adapter.description || adapter.vendor}) is a software fallback, slower than WASM`,
      adapter,
    };
  }
  if (!tf.findBackendFactory('webgpu')) {
    return {
      ok: false,
      reason: 'tfjs-backend-webgpu did not register (navigator.gpu appeared after it loaded)',
      adapter,
    };
  }
  tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', WEBGPU_SUBMIT_BATCH);
  const failure = await startBackend('webgpu');
  if (failure != null) return { ok: false, reason: `the WebGPU device could not be created (${failure})`, adapter };
  const kind = adapter.isFallbackAdapter ? 'software' : 'hardware';
  return { ok: true, reason: `${kind} WebGPU adapter ${adapter.vendor} ${adapter.architecture}`.trim(), adapter };
}

function describeAdapter(adapter: GPUAdapter): AdapterReport {
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const legacyFallback = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    description: info?.description ?? '',
    isFallbackAdapter:
      (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ?? legacyFallback ?? false,
  };
}

let configuredWasmPaths: string | undefined;

async function tryWasm(options: BackendOptions, scope: Scope): Promise<Attempt> {
  if (!hasWasm()) return { ok: false, reason: 'WebAssembly is not available in this scope' };
  const threadsWanted = wasmThreads(options, scope);
  if (threadsWanted <= 1) {
    // Service workers cannot start the pthread Workers; the single-threaded build is used.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  } else {
    setThreadsCount(Math.min(threadsWanted, MAX_WASM_THREADS));
  }
  const pathsFailure = await configureWasmPaths(options);
  if (pathsFailure != null) return { ok: false, reason: pathsFailure };
  let note = defaultThreadsNote(options, scope);
  let failure: string | null;
  if (scope === 'node' && threadsWanted > 1) {
    const started = await startWithNodeThreads(threadsWanted, () => startBackend('wasm'));
    failure = started.startFailure;
    if (started.setupFailure != null || failure != null) {
      note = `; ${threadsWanted} threads were asked for, but ${started.setupFailure ?? `the threaded build did not start (${failure?.split('\n')[0]})`}`;
      // tfjs keeps the factory of a backend that failed to start: the single-threaded build is tried next.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      failure = await startBackend('wasm');
    }
  } else if (threadsWanted > 1) {
    // More than tfjs' cap of hardwareConcurrency / 2 (asked for, or a dedicated worker's
    // default): the cap is lifted while the backend starts.
    const threads = Math.min(threadsWanted, MAX_WASM_THREADS);
    const liftCap = (options.threads != null || scope === 'dedicated-worker') && threadsWanted > browserThreadCap();
    failure = await watchingThreads(() =>
      liftCap
        ? withThreadCapLifted(threads, shadowHardwareConcurrency, () => startBackend('wasm'))
        : startBackend('wasm'),
    );
    if (failure != null) {
      // A runtime on one thread rather than none: the single-threaded build is tried next.
      note = `; ${threadsWanted} threads were asked for, but the threaded build did not start (${failure.split('\n')[0]})`;
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      failure = await startBackend('wasm');
    }
  } else {
    failure = await startBackend('wasm');
  }
  if (failure != null) return { ok: false, reason: `the .wasm binary could not be loaded (${failure})${note}` };
  const simd = await wasmSimdInUse();
  const threads = getThreadsCount();
  return {
    ok: true,
    reason: `WebAssembly${simd ? ' with SIMD' : ' without SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}${note}`,
  };
}

/** Hands tfjs the .wasm files' location, once per scope; a failure's reason, else null. */
async function configureWasmPaths(options: BackendOptions): Promise<string | null> {
  if (options.wasmPaths == null && options.wasmCache == null) return null;
  const key = JSON.stringify(options.wasmPaths ?? null);
  if (configuredWasmPaths != null) {
    const same = options.wasmPaths == null || configuredWasmPaths === key;
    return same ? null : `WASM paths were already set to ${configuredWasmPaths}; they can be set once per page`;
  }
  // No Cache API (Node, which reads the files from disk; insecure pages): no copy.
  const paths =
    options.wasmCache != null && typeof caches !== 'undefined'
      ? await wasmPathsWithCopy(options.wasmPaths, options.wasmCache)
      : options.wasmPaths;
  if (paths == null) return null;
  try {
    setWasmPaths(paths as string);
  } catch (e) {
    return (e as Error).message;
  }
  configuredWasmPaths = key;
  return null;
}

/**
 * Why the thread count is what it is, for the report's reason, when the caller left it to the
 * default (wasmThreads); empty when the caller chose. A start that falls back to one thread
 * replaces it with why.
 */
function defaultThreadsNote(options: BackendOptions, scope: Scope): string {
  if (options.threads != null) return '';
  if (scope === 'node') return '; cores / 2 by default in Node, which leaves cores to the rest of the machine';
  if (scope === 'service-worker') return '; one thread in a service worker, which cannot start the pthread workers';
  if (!isCrossOriginIsolated())
    return '; one thread: threads need a cross-origin isolated scope (COOP same-origin and COEP require-corp)';
  if (scope === 'dedicated-worker') return "; every core by default in a dedicated worker, whose page's thread is free";
  return "; cores / 2 by default outside a dedicated worker, leaving cores to the page's own thread (rendering, input)";
}

function wasmThreads(options: BackendOptions, scope: Scope): number {
  if (scope === 'node') {
    // tfjs' own policy (cores / 2, for SMT) unless asked: on a 2-core machine 1 thread, which
    // also leaves the other core to whatever else runs (see docs/benchmarks.md).
    const wanted = options.threads ?? Math.floor(nodeCores() / 2);
    return Math.min(MAX_WASM_THREADS, Math.max(1, Math.floor(wanted)));
  }
  if (scope === 'service-worker' || !isCrossOriginIsolated()) return 1;
  // A page's own thread: hardwareConcurrency, which tfjs cuts to cores / 2, leaving a core to
  // rendering and input. A dedicated worker (the runtime's) takes every core (up to 8): the
  // page's thread is free then, and in Chromium on 2 cores 2 threads sampled 1.6-1.75x and
  // fine-tuned 1.3x faster than 1 (npm run bench -- browser/threads).
  const wanted = Math.max(1, options.threads ?? hardwareConcurrency());
  return scope === 'dedicated-worker' ? Math.min(wanted, MAX_WASM_THREADS) : wanted;
}

/**
 * Runs `start` (the threaded build's start), watching its threads: a pthread worker whose script
 * fails (as a minifier-broken one did: "e is not defined") raises an error event on its Worker,
 * which would reach the page as the runtime worker's own failure, and emscripten's start then
 * never settles. Workers made during the start get a listener that keeps their errors from
 * spreading, for their whole life, and the first error ends the attempt, its message the reason.
 */
async function watchingThreads(start: () => Promise<string | null>): Promise<string | null> {
  const scope = globalThis as unknown as { Worker?: typeof Worker } & EventTarget;
  const RealWorker = scope.Worker;
  if (RealWorker == null) return start();
  let onError: (event: Event) => void = () => {};
  const threadFailed = new Promise<string>((resolve) => {
    onError = (event) => {
      event.preventDefault();
      threadErrors.add(event);
      resolve(`a WASM thread failed: ${(event as ErrorEvent).message || 'no message'}`);
    };
  });
  scope.Worker = class extends RealWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      this.addEventListener('error', onError);
    }
  };
  scope.addEventListener('error', keepRethrownThreadErrors);
  scope.addEventListener('error', onError);
  try {
    return await Promise.race([start(), threadFailed]);
  } finally {
    scope.Worker = RealWorker;
    scope.removeEventListener('error', onError);
  }
}

/** The failed threads' error events seen by watchingThreads. */
const threadErrors = new WeakSet<object>();

/**
 * Emscripten's own handler on a thread's Worker rethrows its error event (`throw e`), after
 * ours saw it, at any time later: an uncaught error in this scope whose error is that event.
 * Those are kept from spreading too, for as long as the scope lives.
 */
function keepRethrownThreadErrors(event: Event): void {
  const error = (event as ErrorEvent).error as unknown;
  if (typeof error === 'object' && error != null && threadErrors.has(error)) event.preventDefault();
}

/** The pool size tfjs' C++ side allows in this scope: max(hardwareConcurrency / 2, 1). */
function browserThreadCap(): number {
  return Math.max(1, Math.floor(hardwareConcurrency() / 2));
}

/**
 * The browser's shadow for withThreadCapLifted: an own, configurable hardwareConcurrency on the
 * navigator object answers `cores` (the real one is a getter on its prototype); the returned
 * function deletes it again, or puts back an own property that was there before. Where the
 * navigator refuses the property, nothing changes and tfjs' cap stays (the report's threads say so).
 */
function shadowHardwareConcurrency(cores: number): () => void {
  const nav = globalThis.navigator as Navigator | undefined;
  if (nav == null) return () => {};
  const own = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, enumerable: true, value: cores });
  } catch {
    return () => {};
  }
  return () => {
    if (own != null) Object.defineProperty(nav, 'hardwareConcurrency', own);
    else Reflect.deleteProperty(nav, 'hardwareConcurrency');
  };
}

async function wasmSimdInUse(): Promise<boolean> {
  return hasWasmSimd() && (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
}

/**
 * tf.setBackend logs a failure with console.warn and returns false. We keep what it logged
 * as the reason (null means the backend started), instead of letting it reach the console.
 */
async function startBackend(name: BackendName): Promise<string | null> {
  const warn = console.warn;
  const logged: string[] = [];
  console.warn = (...args: unknown[]) => logged.push(args.map(describe).join(' '));
  try {
    if (await tf.setBackend(name)) return null;
  } catch (e) {
    logged.push(describe(e));
  } finally {
    console.warn = warn;
  }
  return logged.join(' ').trim() || `tf.setBackend('${name}') failed`;
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'object' && value != null && 'message' in value) return String(value.message);
  return String(value);
}
