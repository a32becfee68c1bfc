/** Shared by the family tests: bitwise comparison of trainer states. */
import { expect } from 'vitest';
import type { NamedArrays } from '../../src/nn/params';
import type { TrainerState } from '../../src/train/state';

function expectArraysIdentical(a: NamedArrays | null, b: NamedArrays | null, what: string): void {
  expect(a === null, `${what} presence`).toBe(b === null);
  if (a === null || b === null) return;
  expect(Object.keys(a).sort(), what).toEqual(Object.keys(b).sort());
  for (const name of Object.keys(a)) {
    expect(a[name].shape, `${what} ${name} shape`).toEqual(b[name].shape);
    const same = Buffer.from(a[name].values.buffer, a[name].values.byteOffset, a[name].values.byteLength).equals(
      Buffer.from(b[name].values.buffer, b[name].values.byteOffset, b[name].values.byteLength),
    );
    expect(same, `${what} ${name} bits`).toBe(true);
  }
}

/** Every weight, slot and counter equal, bit for bit. */
export function expectStatesIdentical(a: TrainerState, b: TrainerState): void {
  expect(a.step).toBe(b.step);
  expect(a.rng).toEqual(b.rng);
  expect(a.settings).toEqual(b.settings);
  expectArraysIdentical(a.generator, b.generator, 'generator');
  expectArraysIdentical(a.critic, b.critic, 'critic');
  expectArraysIdentical(a.ema, b.ema, 'ema');
  expect(a.generatorOptimizer.updates).toBe(b.generatorOptimizer.updates);
  expect(a.criticOptimizer.updates).toBe(b.criticOptimizer.updates);
  expectArraysIdentical(a.generatorOptimizer.slots, b.generatorOptimizer.slots, 'generator optimizer');
  expectArraysIdentical(a.criticOptimizer.slots, b.criticOptimizer.slots, 'critic optimizer');
}
