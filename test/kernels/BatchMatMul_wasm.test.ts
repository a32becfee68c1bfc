import { describe, expect, it } from 'vitest';
import '../../src/index';
import { relativeError, runKernelOn, type KernelCall } from './helpers';

/** [a shape, b shape] for untransposed operands; the test transposes them as each case needs. */
const CASES: [number[], number[]][] = [
  [
    [7, 5],
    [5, 3],
  ],
  [
    [64, 33],
    [33, 17],
  ],
  [
    [3, 6, 4],
    [3, 4, 5],
  ],
  [
    [2, 3, 6, 4],
    [4, 5],
  ], // broadcast batch dims
];

const transposed = (shape: number[]) => [...shape.slice(0, -2), shape[shape.length - 1], shape[shape.length - 2]];

describe('wasm BatchMatMul with transposed operands', () => {
  it('equals the cpu backend for every transpose combination, without leaks', async () => {
    let seed = 1;
    for (const [aShape, bShape] of CASES) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const call: KernelCall = {
            kernelName: 'BatchMatMul',
            inputs: {
              a: [transposeA ? transposed(aShape) : aShape, seed++],
              b: [transposeB ? transposed(bShape) : bShape, seed++],
            },
            attrs: { transposeA, transposeB },
          };
          const cpu = await runKernelOn('cpu', call);
          const wasm = await runKernelOn('wasm', call);
          expect(wasm.shape, JSON.stringify(call)).toEqual(cpu.shape);
          expect(relativeError(wasm.values, cpu.values), JSON.stringify(call)).toBeLessThan(1e-5);
        }
      }
    }
  });
});
