// Builds:
// - the library for bundlers and browsers (ESM, tfjs as peers: an app and wgan-edge share one
//   tfjs, the convention of every tfjs backend);
// - the page-side runtime client (ESM, Comlink bundled, no tfjs: the model runs in a worker);
// - the demo page (dist/demo/: its HTML and its script, the runtime client bundled);
// - the module Web Worker and the service worker: self-contained, tfjs bundled; the service
//   worker as one classic script, since service workers may not import();
// - the library for Node (src/index.node.ts: the public API plus model folders, shipped models
//   and the MNIST loaders) and the CLI: self-contained CommonJS, because tfjs-core's Node entry
//   cannot load its gradient registry (ESM files with extension-less imports); tfjs keeps its
//   engine and kernel registry on globalThis, so a Node app's own tfjs still shares them.
//   The .wasm binaries are copied beside them, where emscripten looks.
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';

const require = createRequire(import.meta.url);
const WASM_DIR = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
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

// Silence the one warning tfjs's own bundles produce (`this` at the top of its ES5 helpers).
const onwarn = (warning, warn) => {
  if (warning.code === 'THIS_IS_UNDEFINED') return;
  warn(warning);
};

export default [
  {
    input: 'src/index.ts',
    output: { file: 'dist/index.js', format: 'es', sourcemap: true },
    external: (id) => EXTERNAL.some((p) => p.test(id)),
    plugins: [ts()],
    onwarn,
  },
  {
    input: 'src/runtime/index.ts',
    output: { file: 'dist/runtime.js', format: 'es', sourcemap: true },
    external: (id) => EXTERNAL.some((p) => p.test(id)),
    plugins: [ts()],
    onwarn,
  },
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
      commonjs({ ignoreDynamicRequires: true }),
      ts(),
      copyWasmBinaries('dist'),
    ],
    onwarn,
  })),
  ...[
    { input: 'src/index.node.ts', output: { file: 'dist/index.node.cjs', format: 'cjs', exports: 'named' } },
    { input: 'src/cli/main.ts', output: { file: 'dist/cli.cjs', format: 'cjs', banner: '#!/usr/bin/env node' } },
  ].map(({ input, output }) => ({
    input,
    output: { ...output, inlineDynamicImports: true },
    external: (id) => id.startsWith('node:'),
    plugins: [
      nodeResolve({ mainFields: ['module', 'main'], preferBuiltins: true, exportConditions: ['node'] }),
      commonjs({ ignoreDynamicRequires: true }),
      ts(),
      copyWasmBinaries('dist'),
    ],
    onwarn,
  })),
];
