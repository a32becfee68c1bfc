import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import '../../src/backend/gradients';
import { initBackend } from '../../src/backend/init';
import { toyDataset } from '../../src/data/toy';
import { archConfig } from '../../src/models/config';
import { Trainer, type TrainerConfig } from '../../src/train/trainer';

const tiny = {
  arch: archConfig('mlp', { hidden: 4, depth: 1 }),
  data: toyDataset('25gaussians'),
  seed: 3,
  batchSize: 4,
  nCritic: 1,
};

/** Runs `steps` after a 10-step warm-up; numTensors and numBytes must not move. */
async function expectFlat(config: TrainerConfig, steps: number): Promise<void> {
  const trainer = new Trainer(config);
  await trainer.run({ steps: 10 });
  const start = tf.memory();
  const counts: number[] = [];
  await trainer.run({ steps, onProgress: (m) => void (m.step % 50 === 0 && counts.push(tf.memory().numTensors)) });
  expect(counts).toEqual(new Array(counts.length).fill(start.numTensors));
  expect(tf.memory().numBytes).toBe(start.numBytes);
  trainer.dispose();
  expect(tf.memory().numTensors).toBe(0);
}

it('tensor count and memory stay flat across 1000 wgan-gp steps (penalty, EMA)', async () => {
  await initBackend({ backend: 'wasm' });
  await expectFlat({ ...tiny, loss: 'wgan-gp', emaDecay: 0.99 }, 1000);
});

it('and across 100 wgan-c steps through a curriculum stage (mixture critic)', async () => {
  await initBackend({ backend: 'wasm' });
  await expectFlat(
    { ...tiny, loss: 'wgan-c', curriculum: { critics: 2, schedule: 'step', steps: 80, fade: 0.5 } },
    100,
  );
});
