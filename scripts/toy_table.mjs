#!/usr/bin/env node
// The README's table of the WGAN family on the toy sets: for each (data, loss) pair, runs
// `wgan-edge train --data D --loss L` with its defaults, times the whole command, then
// `wgan-edge eval`, and prints one markdown row per pair (and a JSON line to stderr as each
// pair finishes). Runs the built CLI (npm run build first); runs go to runs/toy-table/.
//   node scripts/toy_table.mjs [--data 8gaussians,swissroll] [--loss gan,wgan]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli.cjs');
const DATA = ['8gaussians', '25gaussians', 'swissroll'];
const LOSSES = ['gan', 'wgan', 'wgan-gp', 'wgan-c'];

function cli(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wgan-edge ${args.join(' ')} exited with ${r.status}`);
  return r.stdout;
}

const { values } = parseArgs({ options: { data: { type: 'string' }, loss: { type: 'string' } } });
const rows = [];
for (const data of values.data?.split(',') ?? DATA) {
  for (const loss of values.loss?.split(',') ?? LOSSES) {
    const out = join(ROOT, 'runs', 'toy-table', `${data}-${loss}`);
    const started = performance.now();
    const trained = JSON.parse(
      cli(['train', '--data', data, '--loss', loss, '--out', out, '--json']).trim().split('\n').at(-1),
    );
    const seconds = (performance.now() - started) / 1000;
    const m = JSON.parse(cli(['eval', '--model', out, '--data', data]));
    console.error(JSON.stringify({ data, loss, steps: trained.step, seconds: Math.round(seconds), ...m }));
    const modes = m.modes == null ? '' : `${m.modes}/${m.modeCount}`;
    const hq = m.highQualityShare == null ? '' : m.highQualityShare.toFixed(2);
    rows.push(
      `| ${data} | ${loss} | ${trained.step} | ${Math.round(seconds)} s | ${modes} | ${hq} | ${m.w1.toFixed(3)} |`,
    );
  }
}
console.log(
  ['| data | loss | steps | time | modes | high quality | W1 |', '|---|---|---|---|---|---|---|', ...rows].join('\n'),
);
