import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/index';
import { checkGradients } from '../helpers/gradcheck';
import { GRADIENT_CASES } from './cases';

const BACKENDS = ['cpu', 'wasm'] as const;

beforeAll(async () => {
  for (const backend of BACKENDS) await initBackend({ backend });
});

describe.each(BACKENDS)('gradients on %s against finite differences', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  const cases = GRADIENT_CASES.filter((c) => c.backends == null || c.backends.includes(backend));
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, gradCase) => {
    const before = tf.memory().numTensors;
    const reports = await checkGradients(gradCase);
    expect(reports.map((r) => r.order)).toEqual(Array.from({ length: gradCase.order ?? 2 }, (_, k) => k + 1));
    for (const report of reports) expect(report.mismatches, `order ${report.order}`).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
