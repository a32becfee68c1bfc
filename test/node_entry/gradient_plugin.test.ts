/**
 * The rollup plugin that bundles tfjs-core's gradients for the Node build
 * (scripts/rollup/tfjs_core_gradients.mjs): what it copies, and that it fails loudly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, no types
import { planGradientBundle } from '../../scripts/rollup/tfjs_core_gradients.mjs';

interface Plan {
  copied: Set<string>;
  virtual: Map<string, Map<string, string>>;
}

const inCore = (file: string) => file.replace(/\\/g, '/').replace(/.*\/tfjs-core\/dist\//, '');

describe('tfjsCoreGradients plan', () => {
  it('copies the gradients and stateless helpers only: no engine, registry, environment or Tensor class', () => {
    const plan = planGradientBundle({ ...tf }) as Plan;
    const copied = [...plan.copied].map(inCore);
    expect(copied).toContain('register_all_gradients.js');
    expect(copied.filter((f) => f.startsWith('gradients/')).length).toBeGreaterThan(100);
    const others = copied.filter((f) => f !== 'register_all_gradients.js' && !f.startsWith('gradients/'));
    for (const f of others) expect(f, f).toMatch(/^ops\/[a-z0-9_]+\.js$|^tensor_util_env\.js$|^types\.js$/);
    const served = [...plan.virtual.keys()].map(inCore);
    expect(served).toEqual(
      expect.arrayContaining([
        'engine.js',
        'kernel_registry.js',
        'kernel_names.js',
        'util.js',
        'tensor.js',
        'environment.js',
      ]),
    );
    expect(plan.virtual.get([...plan.virtual.keys()].find((f) => inCore(f) === 'engine.js')!)!.get('ENGINE')).toBe(
      'tf.engine()',
    );
  });

  it('fails, naming the binding, when the public tfjs-core lacks one the gradients need', () => {
    const { registerGradient: _, ...withoutRegisterGradient } = { ...tf };
    expect(() => planGradientBundle(withoutRegisterGradient)).toThrow(
      /no public export for registerGradient \(from kernel_registry\.js\)/,
    );
    const { Abs: __, ...withoutAbs } = { ...tf };
    expect(() => planGradientBundle(withoutAbs)).toThrow(/Abs \(from kernel_names\.js\)/);
  });
});
