import { mkdtemp, readFile, writeFile, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkWeights, type ModelContents } from '../../src/io/codec';
import { fromFloat16Bits, toFloat16Bits } from '../../src/io/float16';
import { ModelFormatError, type NamedArrays } from '../../src/io/format';
import { loadModelDir, saveModelDir } from '../../src/io/node_files';

function randomArrays(seed: number): NamedArrays {
  let s = seed;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const make = (shape: number[]) => ({
    shape,
    values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rand),
  });
  return { 'dense1/kernel': make([4, 8]), 'dense1/bias': make([8]), 'conv/kernel': make([3, 3, 2, 5]) };
}

function model(): ModelContents {
  return {
    architecture: { kind: 'test' },
    latentDim: 4,
    outputShape: [8],
    outputRange: [-1, 1],
    provenance: { dataset: 'none', steps: 3 },
    generator: randomArrays(1),
    critic: randomArrays(2),
  };
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('model folders on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-io-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('round-trips float32 exactly, and float16 / uint8 within their stated tolerance', async () => {
    const original = model();
    const tolerances = { float32: 0, float16: 1e-3, uint8: 2 / 255 / 2 + 1e-7 } as const;
    for (const [storage, tol] of Object.entries(tolerances) as [keyof typeof tolerances, number][]) {
      const path = join(dir, storage);
      await saveModelDir(path, original, storage);
      const loaded = await loadModelDir(path);
      expect(loaded.architecture).toEqual(original.architecture);
      expect(loaded.provenance).toEqual(original.provenance);
      for (const net of ['generator', 'critic'] as const) {
        for (const [name, w] of Object.entries(original[net]!)) {
          expect(loaded[net]![name].shape).toEqual(w.shape);
          // uint8 spans [min, max] of each tensor (here [-1, 1]) in 255 steps: error <= half a step.
          expect(maxAbsDiff(loaded[net]![name].values, w.values)).toBeLessThanOrEqual(tol);
        }
      }
    }
  });

  it('float16 conversion is exact on representable values and rounds to nearest', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 2 ** -24, -(2 ** -14)]) expect(fromFloat16Bits(toFloat16Bits(v))).toBe(v);
    expect(fromFloat16Bits(toFloat16Bits(1 + 2 ** -11))).toBe(1); // tie -> even
    expect(fromFloat16Bits(toFloat16Bits(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(fromFloat16Bits(toFloat16Bits(1e6))).toBe(Infinity);
  });

  let saved = 0;
  /** Each in a folder of its own: a folder whose model.json was broken is no longer one the output rule lets a save replace. */
  async function savedThenCorrupted(corrupt: (path: string) => Promise<void>): Promise<ModelFormatError> {
    const path = join(dir, `m${++saved}`);
    await saveModelDir(path, model());
    await corrupt(path);
    const err = await loadModelDir(path).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    return err;
  }

  // The edits reach into model.json's nested fields as a corrupter would, untyped.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const editJson = (edit: (json: Record<string, any>) => void) => async (path: string) => {
    const json = JSON.parse(await readFile(join(path, 'model.json'), 'utf8'));
    edit(json);
    await writeFile(join(path, 'model.json'), JSON.stringify(json));
  };

  it('rejects each corruption with its own clear error naming the file', async () => {
    let err = await savedThenCorrupted((p) => rm(join(p, 'generator.bin')));
    expect([err.code, err.file]).toEqual(['missing-file', join(dir, 'm1', 'generator.bin')]);

    err = await savedThenCorrupted(async (p) => {
      const bytes = await readFile(join(p, 'critic.bin'));
      await writeFile(join(p, 'critic.bin'), bytes.subarray(0, bytes.length - 7));
    });
    expect(err.code).toBe('truncated');
    expect(err.message).toMatch(/critic\.bin: truncated/);

    err = await savedThenCorrupted(async (p) => {
      const bytes = await readFile(join(p, 'generator.bin'));
      bytes[10] ^= 0xff;
      await writeFile(join(p, 'generator.bin'), bytes);
    });
    expect(err.code).toBe('checksum');
    expect(err.message).toMatch(/generator\.bin: checksum mismatch/);

    err = await savedThenCorrupted(editJson((j) => (j.formatVersion = 99)));
    expect(err.code).toBe('unsupported-version');
    expect(err.message).toMatch(/version 99/);

    err = await savedThenCorrupted(editJson((j) => (j.weightsManifest[0].weights[0].dtype = 'int32')));
    expect(err.code).toBe('dtype');

    err = await savedThenCorrupted((p) => writeFile(join(p, 'model.json'), '{"format": "wgan-edge/model", '));
    expect(err.code).toBe('not-a-model');
    expect(err.message).toMatch(/not valid JSON/);

    err = await savedThenCorrupted(editJson((j) => (j.weightsManifest[0].paths = ['../escape.bin'])));
    expect(err.code).toBe('not-a-model');

    err = await loadModelDir(join(dir, 'nowhere')).catch((e) => e);
    expect(err.code).toBe('missing-file');
  });

  it('checks weights against the architecture: missing, extra, mis-shaped', () => {
    const arrays = randomArrays(3);
    const expected = Object.fromEntries(Object.entries(arrays).map(([k, v]) => [k, v.shape]));
    expect(() => checkWeights('generator', expected, arrays, 'f')).not.toThrow();
    const { 'dense1/bias': _, ...missing } = arrays;
    expect(() => checkWeights('generator', expected, missing, 'f')).toThrow(/'dense1\/bias' is missing/);
    expect(() => checkWeights('generator', expected, { ...arrays, extra: arrays['dense1/bias'] }, 'f')).toThrow(
      /'extra' is not part/,
    );
    expect(() => checkWeights('generator', { ...expected, 'dense1/bias': [9] }, arrays, 'f')).toThrow(
      /shape \[8\].*needs \[9\]/,
    );
  });

  it('refuses to save non-finite weights and leaves the good folder untouched', async () => {
    const path = join(dir, 'good');
    await saveModelDir(path, model());
    const before = await readFile(join(path, 'generator.bin'));
    const broken = model();
    broken.generator['dense1/bias'].values[3] = NaN;
    const err = await saveModelDir(path, broken).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.code).toBe('non-finite');
    expect(await readFile(join(path, 'generator.bin'))).toEqual(before);
    expect((await readdir(dir)).sort()).toEqual(['good']);
  });
});
