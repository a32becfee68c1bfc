// The Adam update as one WebGPU kernel (src/backend/kernels/AdamUpdate_webgpu.ts), against the
// update computed in JavaScript in float64. Training with it on webgpu is checked against wasm
// in runtime_training.test.ts.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADAM_UPDATE, adamUpdate } from '../../src/backend/adam_update';
import { initBackend } from '../../src/index';
import { seededValues } from '../kernels/helpers';

const BETA1 = 0.5;
const BETA2 = 0.9;
const EPSILON = 1e-8;
// Large, so that the update is a visible part of p' (at 4e-4 float32 rounding of p would hide it).
const LEARNING_RATE = 0.1;
// A conv kernel, a bias, a scalar-sized one: sizes that are not multiples of the workgroup.
const SHAPES = [[5, 5, 3, 7], [13], [1]];

/** What the update gives in float64: [p', m', v']. */
function expected(p: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, step: number): Float64Array[] {
  const m1 = Float64Array.from(m, (x, i) => BETA1 * x + (1 - BETA1) * g[i]);
  const v1 = Float64Array.from(v, (x, i) => BETA2 * x + (1 - BETA2) * g[i] * g[i]);
  const p1 = Float64Array.from(p, (x, i) => x - (step * m1[i]) / (Math.sqrt(v1[i]) + EPSILON));
  return [p1, m1, v1];
}

describe('Adam update on webgpu', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'webgpu' });
  });

  it.each(SHAPES)(
    'shape %j, updates 1-3: one kernel, equal to the update in float64, frees what it made',
    async (...shape) => {
      const size = shape.reduce((a, b) => a * b, 1);
      let [p, m, v]: Float32Array[] = [
        seededValues(size, 1),
        seededValues(size, 2).map((x) => x * 0.1),
        seededValues(size, 3).map((x) => x * x * 0.01),
      ];
      for (let t = 1; t <= 3; t++) {
        const g = seededValues(size, 10 + t);
        const step = (LEARNING_RATE * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
        const inputs = [p, m, v, g].map((values) => tf.tensor(values, shape));
        const dataBefore = tf.backend().numDataIds();
        let outputs: tf.Tensor[] = [];
        const profile = await tf.profile(() => {
          outputs = adamUpdate(inputs[0], inputs[1], inputs[2], inputs[3], {
            beta1: BETA1,
            beta2: BETA2,
            step,
            epsilon: EPSILON,
          });
          return outputs;
        });
        expect(profile.kernels.map((k) => k.name)).toEqual([ADAM_UPDATE]);
        const values = await Promise.all(outputs.map((o) => o.data<'float32'>()));
        const want = expected(p, m, v, g, step);
        want.forEach((w, k) => {
          // float32 rounding: a few units in the last place of the value, or of p for a p' near 0.
          const worst = Math.max(...w.map((x, i) => Math.abs(values[k][i] - x) - 1e-6 * Math.abs(x)));
          expect(worst, `output ${k} (p', m', v'), update ${t}`).toBeLessThan(2e-7);
        });
        outputs.forEach((o) => o.dispose());
        expect(tf.backend().numDataIds()).toBe(dataBefore);
        inputs.forEach((x) => x.dispose());
        [p, m, v] = values;
      }
    },
  );
});
