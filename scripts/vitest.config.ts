/**
 * Vitest settings for the measurement scripts under scripts/ (`npx vitest run --config
 * scripts/vitest.config.ts`): the root config's Node resolution (tfjs from its ESM sources),
 * scripts only, one at a time so they do not compete for the cores.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import rootConfig from '../vitest.config.js';

const nodeProject = (rootConfig.test?.projects ?? []).find(
  (p): p is TestProjectInlineConfiguration => typeof p === 'object' && 'test' in p && p.test?.name === 'node',
);
if (nodeProject == null) throw new Error("scripts/vitest.config.ts: the root vitest.config.ts has no 'node' project");

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  resolve: nodeProject.resolve,
  ssr: nodeProject.ssr,
  test: {
    include: ['scripts/**/*.script.ts'],
    server: nodeProject.test?.server,
    fileParallelism: false,
    testTimeout: 3_600_000,
  },
});
