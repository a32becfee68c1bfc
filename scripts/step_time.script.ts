/**
 * Seconds per generator step of the trainer for a few toy sizes, side by side in one run.
 *   npx vitest run --config scripts/vitest.config.ts scripts/step_time.script.ts
 * Environment: LOSS=wgan-gp  SIZES='[{"hidden":32,"batchSize":64}]'  BACKEND=wasm
 */
import { it } from 'vitest';
// The library as shipped: the gradient layer and the added WASM kernels.
import '../src/index';
import { initBackend, type BackendName } from '../src/backend/init';
import { toyDataset } from '../src/data/toy';
import type { LossName } from '../src/losses/settings';
import { archConfig } from '../src/models/config';
import { Trainer } from '../src/train/trainer';

const SIZES = process.env.SIZES
  ? (JSON.parse(process.env.SIZES) as { hidden: number; batchSize: number }[])
  : [
      { hidden: 512, batchSize: 256 },
      { hidden: 128, batchSize: 256 },
      { hidden: 128, batchSize: 64 },
      { hidden: 32, batchSize: 64 },
    ];
const STEPS = 4;

it('step time', async () => {
  await initBackend({ backend: (process.env.BACKEND ?? 'wasm') as BackendName });
  for (const { hidden, batchSize } of SIZES) {
    const trainer = new Trainer({
      loss: (process.env.LOSS ?? 'wgan-gp') as LossName,
      arch: archConfig('mlp', { hidden }),
      data: toyDataset('8gaussians'),
      seed: 1,
      batchSize,
    });
    await trainer.run({ steps: 1 });
    const t0 = performance.now();
    await trainer.run({ steps: STEPS });
    console.log(`hidden ${hidden} batch ${batchSize}: ${((performance.now() - t0) / STEPS / 1000).toFixed(3)} s/step`);
    trainer.dispose();
  }
});
