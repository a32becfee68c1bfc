#!/usr/bin/env node
/**
 * npm run bench [-- --json] [-- <bench file filter>...] [-- --<suite flag>...]
 * Runs every bench/*.bench.ts through vitest in Node (tfjs needs its ESM sources resolved),
 * then bench/browser/*.browser-bench.ts in Chromium (bench/vitest.browser.config.ts), collects
 * the entries each suite saved, writes bench/results/latest.json and prints a table, or the
 * JSON alone on stdout with --json. A filter selects the files whose path contains it, as
 * vitest's own filters do: `npm run bench -- browser` runs only the Chromium suite.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);
const args = process.argv.slice(2);
const asJson = args.includes('--json');
/** Other --flags are the suites' own (e.g. finetune's --all-digits): they reach them as WGAN_BENCH_FLAGS, space-separated. */
const suiteFlags = args.filter((a) => a.startsWith('--') && a !== '--json');
const filters = args.filter((a) => !a.startsWith('--'));
/** The Chromium the root vitest config's browser project launches (vitest.config.ts, CHROMIUM_PATH). */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const suiteFiles = (folder, suffix) =>
  readdirSync(join(rootDir, folder))
    .filter((f) => f.endsWith(suffix))
    .map((f) => `${folder}/${f}`)
    .filter((path) => filters.length === 0 || filters.some((filter) => path.includes(filter)));
const runs = [
  { name: 'node', config: 'vitest.config.ts', files: suiteFiles('bench', '.bench.ts') },
  { name: 'browser', config: 'vitest.browser.config.ts', files: suiteFiles('bench/browser', '.browser-bench.ts') },
];
if (runs.every((r) => r.files.length === 0)) {
  console.error(`bench: no bench file matches ${filters.map((f) => `"${f}"`).join(', ')}.`);
  process.exit(1);
}

const outDir = mkdtempSync(join(tmpdir(), 'wgan-bench-'));
const skipped = [];
const failed = [];
for (const { name, config, files } of runs) {
  if (files.length === 0) continue;
  if (name === 'browser' && !existsSync(chromiumPath)) {
    skipped.push(`browser suites skipped: no Chromium at ${chromiumPath} (set CHROMIUM_PATH)`);
    console.error(`bench: ${skipped.at(-1)}.`);
    continue;
  }
  const vitest = spawnSync(
    join(rootDir, 'node_modules', '.bin', 'vitest'),
    ['run', '--config', join(benchDir, config), ...files],
    // With --json, stdout carries the JSON only: vitest's report goes to stderr.
    {
      cwd: rootDir,
      env: { ...process.env, WGAN_BENCH_OUT: outDir, WGAN_BENCH_FLAGS: suiteFlags.join(' ') },
      stdio: ['ignore', asJson ? process.stderr : 'inherit', 'inherit'],
    },
  );
  if (vitest.status !== 0) failed.push(`${name} suites: vitest exited with ${vitest.status ?? vitest.signal}`);
}
const TABLE_SUFFIX = '.table.json';
const outFiles = readdirSync(outDir).sort();
const readJson = (f) => JSON.parse(readFileSync(join(outDir, f), 'utf8'));
const entries = outFiles.filter((f) => f.endsWith('.json') && !f.endsWith(TABLE_SUFFIX)).flatMap(readJson);
const tables = outFiles.filter((f) => f.endsWith(TABLE_SUFFIX)).map(readJson);
rmSync(outDir, { recursive: true, force: true });

const report = {
  createdAt: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  entries,
  tables,
  ...(skipped.length > 0 && { skipped }),
};
mkdirSync(join(benchDir, 'results'), { recursive: true });
writeFileSync(join(benchDir, 'results', 'latest.json'), JSON.stringify(report, null, 2) + '\n');

if (asJson) {
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
} else {
  printTable(report);
}
if (failed.length > 0) {
  console.error(`bench: ${failed.join('; ')}; the results above are incomplete.`);
  process.exit(1);
}

function printTable({ createdAt, node, cpu, cores, entries, tables }) {
  const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const rows = entries.map((e) => [
    e.suite,
    e.name,
    e.backend,
    `${fmt(e.median)} ${e.unit}`,
    `${fmt(e.min)}-${fmt(e.max)}`,
    `${e.medianMs.toFixed(1)} ms`,
    String(e.runs),
  ]);
  const header = ['suite', 'case', 'backend', 'median', 'min-max', 'time', 'runs'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(`\nwgan-edge bench, ${createdAt}, Node ${node}, ${cpu} x${cores}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((r) => console.log(line(r)));
  tables.forEach(printExtraTable);
  console.log(`\nJSON: ${join('bench', 'results', 'latest.json')}`);
}

/** A suite's own table (profile, memory, ratios): text left, numbers right. */
function printExtraTable({ suite, title, columns, rows, notes = [] }) {
  const cells = rows.map((r) => r.map((v) => (typeof v === 'number' ? formatNumber(v) : String(v))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  // '-' stands for a number that does not apply; such a column still aligns right.
  const numeric = columns.map(
    (_, i) => rows.some((r) => typeof r[i] === 'number') && rows.every((r) => typeof r[i] === 'number' || r[i] === '-'),
  );
  const line = (cs) => cs.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(`\n${suite}: ${title}`);
  console.log(line(columns));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  cells.forEach((r) => console.log(line(r)));
  notes.forEach((n) => console.log(`  ${n}`));
}

function formatNumber(v) {
  const abs = Math.abs(v);
  return abs >= 100 || Number.isInteger(v)
    ? v.toFixed(0)
    : abs >= 10
      ? v.toFixed(1)
      : abs >= 0.1
        ? v.toFixed(2)
        : v.toPrecision(2);
}
