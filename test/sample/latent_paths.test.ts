import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/index';
import { latentPath, seededLatents } from '../../src/sample/latent_paths';
import { latents } from '../../src/sample/latents';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('seededLatents', () => {
  it('without truncation: exactly the library latents of that seed', async () => {
    const z = latents(8, 3, 42);
    const want = await z.data();
    z.dispose();
    expect(Array.from(await seededLatents(8, 3, 42))).toEqual(Array.from(want));
  });

  it('seed 0 is a seed like any other: the same latents every time (tfjs alone draws Math.random() for it)', async () => {
    const [a, again, one] = [await seededLatents(4, 3, 0), await seededLatents(4, 3, 0), await seededLatents(4, 3, 1)];
    expect(Array.from(again)).toEqual(Array.from(a));
    expect(Array.from(one)).not.toEqual(Array.from(a));
    const raw = [tf.randomNormal([4], 0, 1, 'float32', 0), tf.randomNormal([4], 0, 1, 'float32', 0)];
    expect(Array.from(await raw[0].data())).not.toEqual(Array.from(await raw[1].data()));
    tf.dispose(raw);
  });

  it('truncation redraws exactly the values outside the bound, deterministically, without leaks', async () => {
    const before = tf.memory().numTensors;
    const plain = await seededLatents(64, 16, 7);
    const bound = 0.5;
    const truncated = await seededLatents(64, 16, 7, bound);
    let redrawn = 0;
    for (let i = 0; i < plain.length; i++) {
      expect(Math.abs(truncated[i])).toBeLessThanOrEqual(bound);
      if (Math.abs(plain[i]) <= bound) expect(truncated[i]).toBe(plain[i]);
      else redrawn++;
    }
    // P(|z| > 0.5) = 0.617 for a standard normal: most values are redrawn.
    expect(redrawn / plain.length).toBeGreaterThan(0.5);
    expect(Array.from(await seededLatents(64, 16, 7, bound))).toEqual(Array.from(truncated));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad seeds and bounds by name', async () => {
    await expect(seededLatents(2, 2, 1.5)).rejects.toThrow(/seed must be an integer in \[0, 2\^32\), got 1.5/);
    await expect(seededLatents(2, 2, 1, -1)).rejects.toThrow(/truncation must be a number of at least 0.01.*got -1/);
    // Smaller bounds would take ~1/(0.8 t) redraws per value: 1e-6 would keep a worker busy for hours.
    await expect(seededLatents(2, 2, 1, 1e-6)).rejects.toThrow(/at least 0.01.*got 0.000001/);
    expect(await seededLatents(2, 2, 1, 0.01)).toHaveLength(4);
  });
});

describe('latentPath', () => {
  const a = Float32Array.from([3, 0, 0]);
  const b = Float32Array.from([0, 4, 0]);

  it('linear: evenly spaced points on the segment', () => {
    const path = latentPath(a, b, 3, 'lerp');
    expect(Array.from(path)).toEqual([3, 0, 0, 1.5, 2, 0, 0, 4, 0]);
  });

  it('slerp: ends exact; between them the closed form on the great circle', () => {
    const steps = 5;
    const path = latentPath(a, b, steps, 'slerp');
    expect(Array.from(path.slice(0, 3))).toEqual([3, 0, 0]);
    expect(Array.from(path.slice(12, 15)).map((v) => +v.toFixed(6))).toEqual([0, 4, 0]);
    // a and b are orthogonal: z(t) = cos(t pi/2) a + sin(t pi/2) b.
    for (let s = 0; s < steps; s++) {
      const t = s / (steps - 1);
      expect(path[3 * s]).toBeCloseTo(3 * Math.cos((t * Math.PI) / 2), 5);
      expect(path[3 * s + 1]).toBeCloseTo(4 * Math.sin((t * Math.PI) / 2), 5);
    }
  });

  it('slerp of parallel ends falls back to the segment instead of dividing by zero', () => {
    const path = latentPath(a, Float32Array.from([6, 0, 0]), 3, 'slerp');
    expect(Array.from(path)).toEqual([3, 0, 0, 4.5, 0, 0, 6, 0, 0]);
  });

  it('needs at least two steps', () => {
    expect(() => latentPath(a, b, 1, 'slerp')).toThrow(/steps must be an integer >= 2.*got 1/);
  });
});
