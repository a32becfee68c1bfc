/**
 * Vitest settings for `npm run bench`: the module resolution of the root config's Node project
 * (tfjs is loaded from its ESM sources, which plain Node cannot import), benchmark files only,
 * one file at a time so that they do not compete for the cores.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import rootConfig from '../vitest.config.js';

const NODE_PROJECT = 'node';

const nodeProject = (rootConfig.test?.projects ?? []).find(
  (p): p is TestProjectInlineConfiguration => typeof p === 'object' && 'test' in p && p.test?.name === NODE_PROJECT,
);
if (nodeProject == null) {
  throw new Error(`bench/vitest.config.ts: the root vitest.config.ts has no '${NODE_PROJECT}' project to take tfjs' module resolution from.`);
}

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  resolve: nodeProject.resolve,
  ssr: nodeProject.ssr,
  test: {
    include: ['bench/**/*.bench.ts'],
    server: nodeProject.test?.server,
    fileParallelism: false,
    testTimeout: 600_000,
  },
});
