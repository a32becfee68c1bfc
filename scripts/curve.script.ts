/**
 * curve.png of a run folder from its history.json, drawn as `wgan-edge train` draws it (the
 * Wasserstein estimate per step): for runs trained elsewhere, such as the PyTorch twin's export.
 *   DIR=checkpoints/mnist-conditional npx vitest run --config scripts/vitest.config.ts scripts/curve.script.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'vitest';
import { encodePng } from '../src/sample/png';
import { linePlot } from '../src/viz/plot';

const DIR = process.env.DIR;

it('draws curve.png from history.json', async () => {
  if (DIR == null) throw new Error('set DIR to a run folder holding history.json');
  const history = JSON.parse(await readFile(join(DIR, 'history.json'), 'utf8')) as {
    step: number;
    wasserstein: number;
  }[];
  if (!Array.isArray(history) || history.length < 2)
    throw new Error(
      `${DIR}/history.json: a curve needs two points or more, got ${JSON.stringify(history).slice(0, 100)}`,
    );
  await writeFile(
    join(DIR, 'curve.png'),
    encodePng(linePlot([{ x: history.map((h) => h.step), y: history.map((h) => h.wasserstein) }])),
  );
});
