/**
 * Vitest settings for the Chromium part of `npm run bench` (bench/browser/*.browser-bench.ts):
 * the root config's browser project as it is (Debian's Chromium and its flags, the COOP/COEP
 * headers that make the page cross-origin isolated, the pre-bundled tfjs, its commands), taken
 * from vitest.config.ts rather than copied, plus one command: the page cannot write files, so
 * it hands its entries to the test server, which writes them where bench/run.mjs collects them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import type { BrowserCommand } from 'vitest/node';
import rootConfig from '../vitest.config.js';
import type { BenchEntry } from './harness.js';

const rootDir = fileURLToPath(new URL('..', import.meta.url));

const browserProject = rootConfig.test?.projects?.find(
  (p): p is TestProjectInlineConfiguration => typeof p === 'object' && 'test' in p && p.test?.name === 'browser',
);
if (browserProject?.test?.browser == null)
  throw new Error('vitest.config.ts has no browser project to take the Chromium settings from');
const { server, plugins, worker, optimizeDeps } = browserProject;
const browser = browserProject.test.browser;

/**
 * saveBenchSuite: the suite's entries as `<suite>.json`, in WGAN_BENCH_OUT under bench/run.mjs
 * (which merges them into its table and bench/results/latest.json), else in bench/results/.
 * Returns the file written.
 */
const saveBenchSuite: BrowserCommand<[suite: string, entries: BenchEntry[]]> = (_context, suite, entries) => {
  const outDir = process.env.WGAN_BENCH_OUT ?? join(rootDir, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${suite}.json`);
  writeFileSync(file, JSON.stringify(entries, null, 2));
  return file;
};

/**
 * The page imports timeRuns and rateEntry from bench/harness.ts, whose saveSuite/saveTable
 * need node:fs and node:path: for that one importer, they resolve to bench/browser/node_stub.ts
 * (vite would otherwise hand the page an empty module and the import would fail).
 */
const harnessNodeImportsStubbed: Plugin = {
  name: 'bench-harness-node-imports-stubbed',
  enforce: 'pre',
  resolveId(source, importer) {
    if (
      (source === 'node:fs' || source === 'node:path') &&
      importer?.split('?')[0] === join(rootDir, 'bench', 'harness.ts')
    ) {
      return join(rootDir, 'bench', 'browser', 'node_stub.ts');
    }
    return null;
  },
};

export default defineConfig({
  root: rootDir,
  server,
  plugins: [...(plugins ?? []), harnessNodeImportsStubbed],
  worker,
  optimizeDeps,
  test: {
    include: ['bench/browser/**/*.browser-bench.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    browser: { ...browser, commands: { ...browser.commands, saveBenchSuite } },
  },
});
