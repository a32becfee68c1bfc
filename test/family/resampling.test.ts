/**
 * The DCGAN resampling options (models/resample.ts): a generator that resizes then convolves,
 * a critic that average-pools. Each trains with the gradient penalty end to end (double
 * backprop through resize and pooling), on WASM; old configs keep their layers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { imageDataset } from '../../src/data/images';
import { modelFromTrainer } from '../../src/io/networks';
import { archConfig, validateArch, type Dcgan28Arch } from '../../src/models/config';
import { paramShapes } from '../../src/models/index';
import { Trainer, type StepMetrics } from '../../src/train/trainer';

const IMAGES = 8;
/** A bright 8x8 square at a different place in each image, on black. */
function squares(): Uint8Array {
  const pixels = new Uint8Array(IMAGES * 28 * 28);
  for (let n = 0; n < IMAGES; n++) {
    const top = 2 + 2 * n;
    const left = 18 - 2 * n;
    for (let r = top; r < top + 8; r++) for (let c = left; c < left + 8; c++) pixels[n * 784 + r * 28 + c] = 255;
  }
  return pixels;
}

describe('DCGAN resampling options', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it('a config without them keeps the transposed convs and strided critic, layer for layer', () => {
    const old = archConfig('dcgan28', { dim: 4 });
    expect(old.upsample).toBeUndefined();
    const explicit = { ...old, upsample: 'transposed' as const, criticDownsample: 'strided' as const };
    expect(paramShapes(explicit, 'generator')).toEqual(paramShapes(old, 'generator'));
    expect(paramShapes(explicit, 'critic')).toEqual(paramShapes(old, 'critic'));
    expect(paramShapes(old, 'generator')['deconv1/kernel']).toEqual([5, 5, 8, 16]);
    // Resize + conv: a conv kernel [5, 5, in, out] under its own name.
    const nearest = paramShapes({ ...old, upsample: 'nearest' }, 'generator');
    expect(nearest['upconv1/kernel']).toEqual([5, 5, 16, 8]);
    expect(nearest['deconv1/kernel']).toBeUndefined();
  });

  it('refuses unknown values and the options on the mlp, naming the field', () => {
    const base = archConfig('dcgan28', { dim: 2 });
    expect(() => validateArch({ ...base, upsample: 'bicubic' })).toThrow(
      /upsample must be 'transposed', 'nearest', 'bilinear' or absent, got "bicubic"/,
    );
    expect(() => validateArch({ ...base, criticDownsample: 'maxpool' })).toThrow(
      /criticDownsample must be 'strided', 'avgpool' or absent/,
    );
    expect(() => validateArch({ ...archConfig('mlp'), upsample: 'nearest' })).toThrow(
      /upsample is for the dcgan kinds, not mlp/,
    );
  });

  const OPTIONS: Partial<Dcgan28Arch>[] = [
    { upsample: 'nearest' },
    { upsample: 'bilinear' },
    { criticDownsample: 'avgpool' },
    { upsample: 'bilinear', criticDownsample: 'avgpool', criticNorm: 'layer' },
  ];

  it.each(OPTIONS)(
    '%j trains with the penalty: finite losses, a positive penalty, every resampling weight moves, the model records it',
    async (options) => {
      const arch = archConfig('dcgan28', { dim: 2, latentDim: 4, ...options });
      const data = imageDataset({ data: squares(), shape: [IMAGES, 28, 28, 1] }, arch.outputRange);
      const trainer = new Trainer({ loss: 'wgan-gp', arch, data, seed: 3, batchSize: 4, nCritic: 2 });
      const before = await trainer.readWeights();
      const metrics: StepMetrics[] = [];
      await trainer.run({ steps: 3, onProgress: (m) => void metrics.push(m) });
      const after = await trainer.readWeights();

      expect(metrics).toHaveLength(3);
      for (const m of metrics) {
        for (const value of [
          m.criticLoss,
          m.wasserstein,
          m.penalty,
          m.criticGradNorm,
          m.generatorLoss,
          m.generatorGradNorm,
        ])
          expect(Number.isFinite(value)).toBe(true);
        expect(m.penalty).toBeGreaterThan(0);
      }
      const resampled = [
        ...(options.upsample
          ? ['upconv1/kernel', 'upconv2/kernel', 'upconv3/kernel'].map((name) => ['generator', name] as const)
          : []),
        ...(options.criticDownsample ? ['conv2/kernel', 'conv3/kernel'].map((name) => ['critic', name] as const) : []),
      ];
      for (const [role, name] of resampled) {
        const was = before[role]![name].values;
        const now = after[role]![name].values;
        expect(now.length, `${role} ${name}`).toBe(was.length);
        expect(
          now.some((v, i) => v !== was[i]),
          `${role} ${name} moved`,
        ).toBe(true);
      }
      const model = await modelFromTrainer(trainer, { dataset: 'squares' });
      expect(model.architecture).toMatchObject(options);
      trainer.dispose();
    },
  );
});
