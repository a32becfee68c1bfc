import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/init';
import { toyDataset, toyMixture, toyPoints } from '../../src/data/toy';
import { generatorModeCoverage, modeCoverage } from '../../src/metrics/modes';
import { exactW1, generatorW1 } from '../../src/metrics/wasserstein';
import { createGenerator } from '../../src/models';
import { archConfig } from '../../src/models/config';
import { Rng } from '../../src/utils/rng';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('mode coverage and quality', () => {
  const mixture = toyMixture('8gaussians');

  it('counts samples within 3 std of a centre; a mode needs a quarter of its fair share', () => {
    const [cx, cy] = mixture.centres[0];
    const [dx, dy] = mixture.centres[3];
    const inside = 2.9 * mixture.std;
    const outside = 3.1 * mixture.std;
    // 8 points: 5 near mode 0, 1 near mode 3, 2 outside every mode.
    const points = [cx, cy, cx + inside, cy, cx, cy - inside, cx, cy, cx, cy, dx, dy, cx + outside, cy, 0, 0];
    const report = modeCoverage(points, mixture);
    expect(report.perMode[0]).toBe(5);
    expect(report.perMode[3]).toBe(1);
    expect(report.highQualityShare).toBeCloseTo(6 / 8, 12);
    // Fair share 8 / 8 = 1, a quarter of it 0.25: modes 0 and 3 count.
    expect(report.modesCovered).toBe(2);
  });

  it('the data itself covers every mode, with the 2-D 3-std share (98.9%) high quality', () => {
    for (const name of ['8gaussians', '25gaussians'] as const) {
      const report = modeCoverage(toyPoints(name, 5000, new Rng(4)), toyMixture(name));
      expect(report.modesCovered).toBe(report.modes);
      // In 2-D, P(|N(0, s^2 I)| <= 3s) = 1 - exp(-4.5) = 0.989.
      expect(report.highQualityShare).toBeGreaterThan(0.98);
      expect(report.highQualityShare).toBeLessThan(0.995);
    }
  });

  it('an untrained generator covers little; the report comes from its samples', async () => {
    const generator = createGenerator(archConfig('mlp', { hidden: 8, depth: 1 }), 1);
    const report = await generatorModeCoverage(generator, mixture, 500, 3);
    expect(report.perMode.reduce((a, b) => a + b, 0)).toBe(Math.round(report.highQualityShare * 500));
    expect(report.highQualityShare).toBeLessThan(0.2);
    Object.values(generator.params).forEach((v) => v.dispose());
  });
});

describe('exact Wasserstein-1', () => {
  function bruteForce(a: number[][], b: number[][]): number {
    let best = Infinity;
    const permute = (prefix: number[], rest: number[]) => {
      if (rest.length === 0) {
        best = Math.min(
          best,
          prefix.reduce((s, j, i) => s + Math.hypot(...a[i].map((v, k) => v - b[j][k])), 0) / a.length,
        );
        return;
      }
      rest.forEach((j, idx) => permute([...prefix, j], [...rest.slice(0, idx), ...rest.slice(idx + 1)]));
    };
    permute(
      [],
      b.map((_, j) => j),
    );
    return best;
  }

  it('equals the best of all matchings on small random sets (3-D, n = 7)', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 5; trial++) {
      const a = Array.from({ length: 7 }, () => [rng.normal(), rng.normal(), rng.normal()]);
      const b = Array.from({ length: 7 }, () => [rng.normal(), rng.normal(), rng.normal()]);
      expect(exactW1(Float32Array.from(a.flat()), Float32Array.from(b.flat()), 3)).toBeCloseTo(bruteForce(a, b), 5);
    }
  });

  it('a translated copy is exactly the translation away; identical sets are 0 apart', () => {
    const points = toyPoints('swissroll', 300, new Rng(6));
    const shifted = points.map((v, i) => v + (i % 2 === 0 ? 0.3 : -0.4));
    expect(exactW1(points, shifted, 2)).toBeCloseTo(0.5, 5);
    expect(exactW1(points, points, 2)).toBe(0);
    expect(() => exactW1(points, points.subarray(0, 10), 2)).toThrow(/two equal samples/);
  });

  it('generatorW1 compares generated samples with fresh data samples', async () => {
    const generator = createGenerator(archConfig('mlp', { hidden: 8, depth: 1 }), 1);
    const w1 = await generatorW1(generator, toyDataset('8gaussians'), 128, 2);
    expect(w1).toBeGreaterThan(0.3);
    const again = await generatorW1(generator, toyDataset('8gaussians'), 128, 2);
    expect(again).toBe(w1);
    Object.values(generator.params).forEach((v) => v.dispose());
    expect(tf.memory().numTensors).toBe(0);
  });
});
