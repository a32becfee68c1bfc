/**
 * Vitest settings for `npm run bench`: the module resolution of the root config's Node project
 * (tfjs is loaded from its ESM sources, which plain Node cannot import), benchmark files only,
 * one file at a time so that they do not compete for the cores.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { NODE_TFJS_RESOLUTION } from '../vitest.config.js';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  resolve: NODE_TFJS_RESOLUTION.resolve,
  ssr: NODE_TFJS_RESOLUTION.ssr,
  test: {
    include: ['bench/**/*.bench.ts'],
    server: NODE_TFJS_RESOLUTION.server,
    fileParallelism: false,
    testTimeout: 600_000,
  },
});
