// `wgan-edge sample --latents z.npy [--format float32]`: the samples of given latents (the built
// CLI, dist/cli.cjs), equal to the library's on the same backend, from float32 or float64 files;
// bad files and flag mixes are refused with the shape or value named.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { saveModelDir } from '../../src/io/node_files';
import { npyHeader, parseNpy } from '../../src/io/npy';
import { createGenerator } from '../../src/models';
import { archConfig } from '../../src/models/config';
import { disposeParams, readParams } from '../../src/nn/params';
import { generateSamples } from '../../src/sample/generate';
import { Rng } from '../../src/utils/rng';
import { runCli } from '../helpers/cli';

const ARCH = archConfig('dcgan28', { dim: 4, latentComponents: 3 });
const N = 3;

const cli = (...args: string[]) => runCli(args);

/** A .npy of float64 values: numpy's default dtype. */
function float64Npy(values: number[], shape: number[]): Uint8Array {
  const header = Buffer.from(npyHeader('float32', shape)).toString('latin1').replace("'<f4'", "'<f8'");
  return new Uint8Array(Buffer.concat([Buffer.from(header, 'latin1'), Buffer.from(Float64Array.from(values).buffer)]));
}

const float32Npy = (values: Float32Array, shape: number[]) =>
  Buffer.concat([npyHeader('float32', shape), Buffer.from(values.buffer, values.byteOffset, values.byteLength)]);

describe('wgan-edge sample --latents', () => {
  let dir: string;
  let model: string;
  let z: Float32Array;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-latents-'));
    model = join(dir, 'model');
    await initBackend({ backend: 'cpu' });
    const generator = createGenerator(ARCH, 3);
    await saveModelDir(model, {
      architecture: { ...ARCH },
      latentDim: 128,
      outputShape: ARCH.outputShape,
      outputRange: ARCH.outputRange,
      provenance: {},
      generator: await readParams(generator.params),
    });
    const rng = new Rng(4);
    z = Float32Array.from({ length: N * 128 }, () => 2 * rng.normal());
    await writeFile(join(dir, 'z32.npy'), float32Npy(z, [N, 128]));
    await writeFile(join(dir, 'z64.npy'), float64Npy(Array.from(z), [N, 128]));
    const { values } = await generateSamples(generator, z);
    await writeFile(join(dir, 'expected.bin'), values);
    disposeParams(generator.params);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the float32 samples of the latents, from float32 and float64 files alike; uint8 by default', async () => {
    const expected = new Float32Array((await readFile(join(dir, 'expected.bin'))).buffer.slice(0));
    for (const file of ['z32.npy', 'z64.npy']) {
      const out = join(dir, `${file}.out.npy`);
      const r = await cli(
        'sample',
        '--model',
        model,
        '--latents',
        join(dir, file),
        '--format',
        'float32',
        '--out',
        out,
        '--backend',
        'cpu',
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`wrote ${N} samples`);
      const got = parseNpy(new Uint8Array(await readFile(out)), out);
      expect(got.shape).toEqual([N, 28, 28, 1]);
      expect(got.descr).toBe('<f4');
      expect(Array.from(got.values)).toEqual(Array.from(expected));
    }
    const bytes = join(dir, 'bytes.npy');
    expect(
      (await cli('sample', '--model', model, '--latents', join(dir, 'z32.npy'), '--out', bytes, '--backend', 'cpu'))
        .code,
    ).toBe(0);
    const stored = await readFile(bytes);
    expect(stored.toString('latin1', 0, 128)).toContain("'descr': '|u1'");
    expect(stored.length - stored.indexOf(0x0a) - 1).toBe(N * 784);
  });

  it('refuses latents of another shape, non-finite values, non-.npy files and mixed flags', async () => {
    const bad: [string, Uint8Array][] = [
      ['narrow.npy', float32Npy(z.subarray(0, N * 127), [N, 127])],
      ['flat.npy', float32Npy(z, [N * 128])],
      ['nan.npy', float64Npy([...Array.from(z.subarray(0, 130)), NaN, ...Array.from(z.subarray(131))], [N, 128])],
      ['huge.npy', float64Npy([...Array.from(z.subarray(0, 129)), 1e300, ...Array.from(z.subarray(130))], [N, 128])],
      ['text.npy', new TextEncoder().encode('0.1 0.2\n')],
    ];
    for (const [name, data] of bad) await writeFile(join(dir, name), data);
    const out = join(dir, 'refused.npy');
    const cases: [string[], RegExp][] = [
      [['--latents', join(dir, 'narrow.npy')], /narrow\.npy: shape \[3,127\], the model needs \[n, 128\]/],
      [['--latents', join(dir, 'flat.npy')], /flat\.npy: shape \[384\], the model needs \[n, 128\]/],
      [['--latents', join(dir, 'nan.npy')], /nan\.npy: value NaN at row 1, column 2 is not finite/],
      [
        ['--latents', join(dir, 'huge.npy')],
        /huge\.npy: value Infinity at row 1, column 1 is not finite \(or too large for float32\)/,
      ],
      [['--latents', join(dir, 'text.npy')], /text\.npy: is not a \.npy file/],
      [['--latents', join(dir, 'missing.npy')], /missing\.npy: no such file/],
      [['--latents', join(dir, 'z32.npy'), '--n', '4'], /--latents gives the latents: --n would draw others/],
      [
        ['--latents', join(dir, 'z32.npy'), '--format', 'float16'],
        /--format must be one of uint8, float32 \(got 'float16'\)/,
      ],
    ];
    for (const [flags, message] of cases) {
      const r = await cli('sample', '--model', model, ...flags, '--out', out);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const json = await cli('sample', '--model', model, '--format', 'float32', '--out', join(dir, 'x.json'));
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/--format float32 sets how a \.npy stores samples/);
  });
});
