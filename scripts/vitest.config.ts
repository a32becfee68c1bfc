/**
 * Vitest settings for the measurement scripts under scripts/ (`npx vitest run --config
 * scripts/vitest.config.ts`): the root config's Node resolution (tfjs from its ESM sources),
 * scripts only, one at a time so they do not compete for the cores.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { NODE_TFJS_RESOLUTION } from '../vitest.config.js';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  resolve: NODE_TFJS_RESOLUTION.resolve,
  ssr: NODE_TFJS_RESOLUTION.ssr,
  test: {
    include: ['scripts/**/*.script.ts'],
    server: NODE_TFJS_RESOLUTION.server,
    fileParallelism: false,
    testTimeout: 3_600_000,
  },
});
