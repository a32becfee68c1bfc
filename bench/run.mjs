#!/usr/bin/env node
/**
 * npm run bench [-- --json] [-- <bench file filter>...]
 * Runs every bench/*.bench.ts through vitest (tfjs needs its ESM sources resolved), collects
 * the entries each suite saved, writes bench/results/latest.json and prints a table, or the
 * JSON alone on stdout with --json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);
const args = process.argv.slice(2);
const asJson = args.includes('--json');
const filters = args.filter((a) => a !== '--json');

const outDir = mkdtempSync(join(tmpdir(), 'wgan-bench-'));
const vitest = spawnSync(
  join(rootDir, 'node_modules', '.bin', 'vitest'),
  ['run', '--config', join(benchDir, 'vitest.config.ts'), ...filters],
  // With --json, stdout carries the JSON only: vitest's report goes to stderr.
  { cwd: rootDir, env: { ...process.env, WGAN_BENCH_OUT: outDir }, stdio: ['ignore', asJson ? process.stderr : 'inherit', 'inherit'] },
);
const entries = readdirSync(outDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((f) => JSON.parse(readFileSync(join(outDir, f), 'utf8')));
rmSync(outDir, { recursive: true, force: true });

const report = {
  createdAt: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  entries,
};
mkdirSync(join(benchDir, 'results'), { recursive: true });
writeFileSync(join(benchDir, 'results', 'latest.json'), JSON.stringify(report, null, 2) + '\n');

if (asJson) {
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
} else {
  printTable(report);
}
if (vitest.status !== 0) {
  console.error(`bench: vitest exited with ${vitest.status ?? vitest.signal}; the results above are incomplete.`);
  process.exit(vitest.status ?? 1);
}

function printTable({ createdAt, node, cpu, cores, entries }) {
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
  console.log(`\nJSON: ${join('bench', 'results', 'latest.json')}`);
}
