// Builds: the library (ESM, tfjs as peers: an app and wgan-edge share one tfjs), and the
// Node CLI (one self-contained CommonJS file; the .wasm binaries are copied beside it).
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';

const require = createRequire(import.meta.url);
const WASM_DIR = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

const PEERS = [/^@tensorflow\//, /^comlink$/, /^fast-png$/];

const ts = () =>
  typescript({
    tsconfig: './tsconfig.json',
    include: ['src/**/*.ts', 'workers/**/*.ts'],
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

// Silence the one warning tfjs's own bundles produce (`this` at the top of its ES5 helpers).
const onwarn = (warning, warn) => {
  if (warning.code === 'THIS_IS_UNDEFINED') return;
  warn(warning);
};

export default [
  {
    input: 'src/index.ts',
    output: { file: 'dist/index.js', format: 'es', sourcemap: true },
    external: (id) => PEERS.some((p) => p.test(id)),
    plugins: [ts()],
    onwarn,
  },
  {
    input: 'src/cli/main.ts',
    output: { file: 'dist/cli.cjs', format: 'cjs', banner: '#!/usr/bin/env node', inlineDynamicImports: true },
    external: (id) => id.startsWith('node:'),
    plugins: [
      nodeResolve({ mainFields: ['module', 'main'], preferBuiltins: true, exportConditions: ['node'] }),
      commonjs({ ignoreDynamicRequires: true }),
      ts(),
      copyWasmBinaries('dist'),
    ],
    onwarn,
  },
];
