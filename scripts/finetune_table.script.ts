/**
 * Few-shot fine-tuning against plain fine-tuning (issue 26, docs/finetune.md): for each digit,
 * SHOTS images of it from MNIST's *test* set (seeded pick), then each method, then N samples
 * scored by the project's classifier (share of the digit) and by their median distance to the
 * nearest shot over the typical distance between two real test images of the digit
 * (bench/few_shot.ts, shared with `npm run bench -- finetune`), and the samples' variety. Seconds
 * are the method's wall time (choice of components included), CPU seconds the process's CPU time
 * over it (one WASM thread's work, which a loaded machine stretches less than the wall).
 *   DIGITS=0,1,...,9 METHODS=plain-200,plain-600,finetune N=1000 \
 *     npx vitest run --config scripts/vitest.config.ts scripts/finetune_table.script.ts
 * Methods: see runMethod in bench/few_shot.ts (plain-S, finetune, finetune-S, choice,
 * finetune-S:key=value+key=value).
 * One line of JSON per run on stdout, and a markdown table at the end. SHOTS_DIR=dir also writes
 * each digit's shots as PNGs (for timing `wgan-edge finetune --images dir/<digit>`); METHODS= (empty)
 * runs no method.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { it } from 'vitest';
import '../src/index';
import { FEW_SHOT, fewShotQuality, mnistFewShotSet, runMethod } from '../bench/few_shot';
import { initBackend } from '../src/backend/init';
import { classifierFromContents } from '../src/io/classifier_file';
import { loadModelDir } from '../src/io/node_files';
import { disposeParams } from '../src/nn/params';
import { loadClassifierDir } from '../src/node/classifier_files';

const MODEL = process.env.MODEL ?? 'models/mnist';
const DIGITS = (process.env.DIGITS ?? '0,1,2,3,4,5,6,7,8,9').split(',').map(Number);
const METHODS = (process.env.METHODS ?? 'plain-200,plain-600,finetune').split(',').filter(Boolean);
const N = Number(process.env.N ?? FEW_SHOT.samples);
const SHOTS = Number(process.env.SHOTS ?? FEW_SHOT.shots);
const PICK_SEED = Number(process.env.PICK_SEED ?? FEW_SHOT.pickSeed);
/** When set, each digit's shots are also written there as PNGs (SHOTS_DIR/<digit>/<k>.png). */
const SHOTS_DIR = process.env.SHOTS_DIR;
const SIZE = 28 * 28;

interface Row {
  method: string;
  digit: number;
  steps: number;
  seconds: number;
  cpuSeconds: number;
  share: number;
  ratio: number;
  realRatio: number;
  variety: number;
  components: number[] | null;
  anchors: string;
}

it(
  'few-shot fine-tuning table',
  async () => {
    const report = await initBackend({ backend: 'wasm', threads: 1 });
    console.log(JSON.stringify({ backend: report.backend, threads: report.threads }));
    const model = await loadModelDir(MODEL);
    const classifier = classifierFromContents(await loadClassifierDir('models/classifiers/mnist'), 'mnist');
    const rows: Row[] = [];
    for (const digit of DIGITS) {
      const set = await mnistFewShotSet(digit, SHOTS, PICK_SEED);
      if (SHOTS_DIR != null) {
        // The same ten images as PNG files, for `wgan-edge finetune --images SHOTS_DIR/<digit>`.
        await mkdir(join(SHOTS_DIR, String(digit)), { recursive: true });
        for (let k = 0; k < SHOTS; k++) {
          const png = encodePng({
            width: 28,
            height: 28,
            channels: 1,
            data: set.shots.data.subarray(k * SIZE, (k + 1) * SIZE),
          });
          await writeFile(join(SHOTS_DIR, String(digit), `${k}.png`), png);
        }
      }
      for (const method of METHODS) {
        const { tuned, components, votes, steps, seconds, cpuSeconds, anchors } = await runMethod(
          method,
          model,
          set.shots,
          MODEL,
        );
        if (votes != null) console.log(JSON.stringify({ votes }));
        const quality = await fewShotQuality(tuned, set, classifier, N);
        const row = {
          method,
          digit,
          steps,
          seconds: round(seconds),
          cpuSeconds: round(cpuSeconds),
          share: round(quality.share, 3),
          ratio: round(quality.ratio, 3),
          realRatio: round(quality.realRatio, 3),
          variety: round(quality.variety, 3),
          components,
          anchors: anchors == null ? '' : `${anchors.count} at ${anchors.spread}`,
        };
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    }
    console.log(
      '\n| method | digit | steps | seconds | CPU seconds | share of the digit | nearest-shot ratio | real ratio | variety | components | anchors |\n|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const r of rows) {
      console.log(
        `| ${r.method} | ${r.digit} | ${r.steps} | ${r.seconds} | ${r.cpuSeconds} | ${(100 * r.share).toFixed(1)}% | ${r.ratio} | ${r.realRatio} | ${r.variety} | ${r.components?.join(' ') ?? ''} | ${r.anchors} |`,
      );
    }
    disposeParams(classifier);
  },
  24 * 3600_000,
);

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
