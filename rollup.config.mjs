// Builds:
// - the library for bundlers and browsers (ESM, tfjs as peers: an app and wgan-edge share one
//   tfjs, the convention of every tfjs backend);
// - the page-side runtime client and the service-worker registration (ESM, Comlink bundled, no
//   tfjs: the model runs in a worker), importable as they are from a static folder or a CDN;
// - the demo page (dist/demo/: its HTML and its script, the runtime client bundled);
// - the module Web Worker and the service worker: self-contained, tfjs bundled; the service
//   worker as one classic script, since service workers may not import();
// - the library for Node (src/index.node.ts: the public API plus model folders, shipped models
//   and the MNIST loaders) and the CLI: CommonJS, one build with two entries that share their
//   code (dist/node-*.cjs). Every @tensorflow/* package stays external: they require the app's
//   tfjs (optional peers; dist/node-peers.cjs checks them first, see src/backend/peers.ts), so an
//   app that imports tfjs itself and wgan-edge has one engine, and the package carries no tfjs
//   for Node. tfjs-core's CommonJS entry registers no gradients, and its gradient registry
//   (an ES module with extension-less imports) cannot be loaded by Node: the tfjsCoreGradients
//   plugin bundles only those gradient files, with every other tfjs-core import they make
//   served from the public '@tensorflow/tfjs-core' (scripts/rollup/tfjs_core_gradients.mjs).
//   tfjs-backend-webgpu is loaded on demand there (src/backend/webgpu.node.ts), so Node needs
//   tfjs-core, tfjs-backend-cpu and tfjs-backend-wasm only. The .wasm files come from the
//   installed tfjs-backend-wasm, beside its own Node bundle.
import { readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';
import { REGISTER_ALL_GRADIENTS, tfjsCoreGradients } from './scripts/rollup/tfjs_core_gradients.mjs';

const require = createRequire(import.meta.url);
const WASM_PACKAGE = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const WASM_DIR = join(WASM_PACKAGE, 'dist');
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

// Left to the app's bundler: tfjs (peers, one copy shared with the app) and our own dependencies.
const EXTERNAL = [/^@tensorflow\//, /^comlink$/, /^fast-png$/, /^jpeg-js$/];

const ts = () =>
  typescript({
    tsconfig: './tsconfig.json',
    include: ['src/**/*.ts', 'workers/**/*.ts', 'demo/**/*.ts'],
    compilerOptions: { declaration: false, rootDir: '.', outDir: 'dist', noEmitOnError: true },
  });

/** Copies the tfjs WASM binaries next to a bundle, where emscripten looks for them. */
function copyWasmBinaries(outDir) {
  return {
    name: 'copy-wasm-binaries',
    async writeBundle() {
      await mkdir(outDir, { recursive: true });
      await Promise.all(WASM_FILES.map((f) => copyFile(join(WASM_DIR, f), join(outDir, f))));
    },
  };
}

/**
 * tfjs-backend-wasm's emscripten code, made safe for an app's bundler and minifier (the browser
 * bundles only):
 * - its pthread workers start on a Blob of `wasmFactoryThreadedSimd.toString()`, the factory's
 *   source as it stands in the bundle. An app's minifier renames what that function closes over
 *   (emscripten's `_scriptDir` becomes `e`), so the threads of a minified production worker die
 *   with "e is not defined". The factory's own file, as a string literal, is what the threads
 *   need and survives any minifier;
 * - `if (typeof __filename !== 'undefined') _scriptDir = _scriptDir || __filename;` is Node's
 *   branch, but webpack folds `typeof __filename` to "string" in an ES module without defining
 *   `__filename`: "__filename is not defined" when the worker starts. Dropped.
 * The build fails if tfjs changes either line.
 */
function emscriptenForBundlers() {
  const backend = join(WASM_DIR, 'backend_wasm.js');
  const emscriptenDir = join(WASM_PACKAGE, 'wasm-out');
  const threadedFactory = join(emscriptenDir, 'tfjs-backend-wasm-threaded-simd.js');
  const toStringCall = /`var WasmBackendModuleThreadedSimd = ` \+\s*wasmFactoryThreadedSimd\.toString\(\)/;
  const nodeScriptDir = "if (typeof __filename !== 'undefined') _scriptDir = _scriptDir || __filename;";
  return {
    name: 'emscripten-for-bundlers',
    transform(code, id) {
      if (id === backend) {
        if (!toStringCall.test(code))
          this.error(`${id}: the pthread script's toString() call was not found; update emscriptenForBundlers`);
        return {
          code: code.replace(toStringCall, () => JSON.stringify(readFileSync(threadedFactory, 'utf8'))),
          map: null,
        };
      }
      if (id.startsWith(emscriptenDir + sep) && id.endsWith('.js') && !id.endsWith('.worker.js')) {
        if (!code.includes(nodeScriptDir))
          this.error(`${id}: emscripten's __filename line was not found; update emscriptenForBundlers`);
        return { code: code.replace(nodeScriptDir, ''), map: null };
      }
      return null;
    },
  };
}

/** Copies one file into the build, e.g. the demo's page beside its script. */
function copyIntoBuild(from, to) {
  return {
    name: 'copy-file',
    async writeBundle() {
      await mkdir(dirname(to), { recursive: true });
      await copyFile(from, to);
    },
  };
}

/** The Node build's entries that check the tfjs peers first, and how they fail (src/backend/peers.ts). */
const NODE_ENTRIES = { 'index.node': 'library', internals: 'library', cli: 'cli' };

/** Takes, in one build, a module's Node variant in its place: `{ 'src/a.ts': 'src/a.node.ts' }`. */
function nodeVariants(map) {
  const variants = new Map(Object.entries(map).map(([from, to]) => [resolve(from), resolve(to)]));
  return {
    name: 'node-variants',
    async resolveId(source, importer, options) {
      if (importer == null || !source.startsWith('.')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved != null && variants.has(resolved.id) ? variants.get(resolved.id) : resolved;
    },
  };
}

// Silence the one warning tfjs's own bundles produce (`this` at the top of its ES5 helpers).
const onwarn = (warning, warn) => {
  if (warning.code === 'THIS_IS_UNDEFINED') return;
  warn(warning);
};

export default [
  {
    // The public API and wgan-edge/internals share one copy of their modules (lib-shared.js).
    input: { index: 'src/index.ts', internals: 'src/internals.ts' },
    output: {
      dir: 'dist',
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: 'lib-shared.js',
    },
    external: (id) => EXTERNAL.some((p) => p.test(id)),
    plugins: [ts()],
    onwarn,
  },
  // Page-side entries: self-contained ES modules (Comlink, ~4 KB, bundled), so a static page can
  // import them with no bundler and no import map. Their `new URL('./x', import.meta.url)`
  // literals name files beside them in dist/, which an app's bundler emits with them.
  ...[
    { input: 'src/runtime/index.ts', output: { file: 'dist/runtime.js', format: 'es', sourcemap: true } },
    {
      input: 'src/runtime/service_worker_register.ts',
      output: { file: 'dist/service-worker.js', format: 'es', sourcemap: true },
    },
  ].map(({ input, output }) => ({ input, output, plugins: [nodeResolve({ browser: true }), ts()], onwarn })),
  {
    input: 'demo/main.ts',
    output: { file: 'dist/demo/demo.js', format: 'es' },
    plugins: [nodeResolve({ browser: true }), ts(), copyIntoBuild('demo/index.html', 'dist/demo/index.html')],
    onwarn,
  },
  ...[
    { input: 'workers/gan.worker.ts', output: { file: 'dist/gan.worker.js', format: 'es' } },
    { input: 'workers/gan.sw.ts', output: { file: 'dist/gan.sw.js', format: 'iife' } },
  ].map(({ input, output }) => ({
    input,
    output: { ...output, inlineDynamicImports: true },
    plugins: [
      nodeResolve({ browser: true, mainFields: ['module', 'browser', 'main'] }),
      emscriptenForBundlers(),
      // Mixed modules too: tfjs-core's platform_node.js (an ES module) calls require('node-fetch')
      // and require('util'), which tfjs-core's browser field maps to nothing. Left as they were,
      // an app's bundler must resolve them, and cannot where the tfjs peers are not installed.
      commonjs({ ignoreDynamicRequires: true, transformMixedEsModules: true }),
      ts(),
      copyWasmBinaries('dist'),
    ],
    onwarn,
  })),
  {
    input: {
      'index.node': 'src/index.node.ts',
      internals: 'src/internals.ts',
      cli: 'src/cli/main.ts',
      'node-peers': 'src/backend/peers.ts',
    },
    output: {
      dir: 'dist',
      format: 'cjs',
      exports: 'named',
      entryFileNames: '[name].cjs',
      chunkFileNames: (chunk) => (chunk.isDynamicEntry ? 'node-[name].cjs' : 'node-shared.cjs'),
      banner: (chunk) => (chunk.name === 'cli' ? '#!/usr/bin/env node' : ''),
      // Before the entry's require() calls: a missing peer gives one message, not a stack.
      intro: (chunk) =>
        NODE_ENTRIES[chunk.name] != null
          ? `require('./node-peers.cjs').ensureNodePeers('${NODE_ENTRIES[chunk.name]}');`
          : '',
    },
    external: (id) => id.startsWith('node:') || (/^@tensorflow\//.test(id) && !id.startsWith(REGISTER_ALL_GRADIENTS)),
    plugins: [
      tfjsCoreGradients(),
      nodeVariants({ 'src/backend/webgpu.ts': 'src/backend/webgpu.node.ts' }),
      nodeResolve({ mainFields: ['module', 'main'], preferBuiltins: true, exportConditions: ['node'] }),
      commonjs({ ignoreDynamicRequires: true }),
      ts(),
    ],
    onwarn,
  },
];
