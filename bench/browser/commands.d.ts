import type { BenchEntry } from '../harness';

/** The command bench/vitest.browser.config.ts adds for the Chromium bench page. */
declare module 'vitest/browser' {
  interface BrowserCommands {
    /** Writes the suite's entries as `<suite>.json` (WGAN_BENCH_OUT, else bench/results/); returns the file's path. */
    saveBenchSuite: (suite: string, entries: BenchEntry[]) => Promise<string>;
  }
}
