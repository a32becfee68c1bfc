import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/backend/gradients';
import { initBackend } from '../../src/backend/init';
import { createCritic, createGenerator } from '../../src/models';
import { archConfig, validateArch, type ArchConfig } from '../../src/models/config';
import { assignParams, readParams } from '../../src/nn/params';
import { latents } from '../../src/sample/latents';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const small: ArchConfig[] = [
  archConfig('mlp', { hidden: 8, depth: 2 }),
  archConfig('dcgan28', { dim: 2, latentDim: 8 }),
  archConfig('dcgan32', { dim: 2, latentDim: 8, criticNorm: 'layer' }),
];

describe('architectures', () => {
  for (const config of small) {
    it(`${config.kind}: shapes, output range, seeded init, and a rebuild from JSON config + named weights`, async () => {
      const generator = createGenerator(config, 3);
      const critic = createCritic(config, 4);
      const z = latents(5, config.latentDim, 1);
      const x = generator.apply(generator.params, z);
      expect(x.shape).toEqual([5, ...config.outputShape]);
      const scores = critic.apply(critic.params, x);
      expect(scores.shape).toEqual([5, 1]);
      const values = await x.data();
      if (config.outputRange !== null) {
        for (const v of values) {
          expect(v).toBeGreaterThanOrEqual(config.outputRange[0]);
          expect(v).toBeLessThanOrEqual(config.outputRange[1]);
        }
      }
      // What a model file holds: the config as JSON and the named weights.
      const rebuilt = createGenerator(JSON.parse(JSON.stringify(config)), 99);
      const same = createGenerator(config, 3);
      expect(Object.keys(rebuilt.params)).toEqual(Object.keys(generator.params));
      assignParams(rebuilt.params, await readParams(generator.params), 'weights');
      const [a, b, c] = [rebuilt, same, generator].map((g) => tf.tidy(() => g.apply(g.params, z)));
      expect(Array.from(await a.data())).toEqual(Array.from(values));
      expect(Array.from(await b.data())).toEqual(Array.from(values));
      const other = createGenerator(config, 4);
      const d = other.apply(other.params, z);
      expect(Array.from(await d.data())).not.toEqual(Array.from(values));
      tf.dispose([z, x, scores, a, b, c, d]);
      for (const net of [generator, critic, rebuilt, same, other])
        Object.values(net.params).forEach((v) => v.dispose());
    });
  }

  it("stable parameter names: the authors' layers, layer norm only when asked", () => {
    const dcgan = createCritic(archConfig('dcgan28', { dim: 2 }), 1);
    expect(Object.keys(dcgan.params)).toEqual([
      'conv1/kernel',
      'conv1/bias',
      'conv2/kernel',
      'conv2/bias',
      'conv3/kernel',
      'conv3/bias',
      'output/kernel',
      'output/bias',
    ]);
    expect(dcgan.params['conv3/kernel'].shape).toEqual([5, 5, 4, 8]);
    expect(dcgan.params['output/kernel'].shape).toEqual([4 * 4 * 8, 1]);
    const normed = createCritic(archConfig('dcgan28', { dim: 2, criticNorm: 'layer' }), 1);
    expect(Object.keys(normed.params)).toContain('norm2/gamma');
    const generator = createGenerator(archConfig('dcgan28', { dim: 2 }), 1);
    expect(Object.keys(generator.params)).toEqual([
      'input/kernel',
      'input/bias',
      'deconv1/kernel',
      'deconv1/bias',
      'deconv2/kernel',
      'deconv2/bias',
      'deconv3/kernel',
      'deconv3/bias',
    ]);
    expect(generator.params['input/kernel'].shape).toEqual([128, 4 * 4 * 8]);
    const mlp = createGenerator(archConfig('mlp'), 1);
    expect(Object.keys(mlp.params)).toEqual([
      'dense0/kernel',
      'dense0/bias',
      'dense1/kernel',
      'dense1/bias',
      'dense2/kernel',
      'dense2/bias',
      'output/kernel',
      'output/bias',
    ]);
    expect(mlp.params['dense1/kernel'].shape).toEqual([128, 128]);
    for (const net of [dcgan, normed, generator, mlp]) Object.values(net.params).forEach((v) => v.dispose());
  });

  it('He init: ReLU layers have std sqrt(2 / fan-in), biases zero', async () => {
    const mlp = createGenerator(archConfig('mlp'), 5);
    const kernel = (await mlp.params['dense1/kernel'].data()) as Float32Array;
    const std = Math.sqrt(kernel.reduce((s, v) => s + v * v, 0) / kernel.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 128), 2);
    expect(Array.from(await mlp.params['dense1/bias'].data()).every((v) => v === 0)).toBe(true);
    Object.values(mlp.params).forEach((v) => v.dispose());
  });

  it("DCGAN pair: PyTorch's default init, weights and biases U(+-1/sqrt(fan)) with fan = k^2 * weight dim 1 as PyTorch reads it", async () => {
    const config = archConfig('dcgan28', { dim: 8 });
    for (const net of [createGenerator(config, 5), createCritic(config, 6)]) {
      for (const [name, weight] of Object.entries(net.params)) {
        if (!name.endsWith('/kernel')) continue;
        // Dense [in, units]: fan = in. Conv [k, k, in, out] and transposed conv [k, k, out, in]
        // alike: k^2 * shape[2] (PyTorch's ConvTranspose2d weight is [in, out, k, k]; it reads dim 1).
        const [a, b, c] = weight.shape as number[];
        const fan = weight.rank === 2 ? a : a * b * c;
        const bound = 1 / Math.sqrt(fan);
        const w = (await weight.data()) as Float32Array;
        const bias = (await net.params[name.replace('kernel', 'bias')].data()) as Float32Array;
        expect(Math.max(...w.map(Math.abs)), name).toBeLessThanOrEqual(bound);
        expect(Math.max(...bias.map(Math.abs)), name).toBeLessThanOrEqual(bound);
        expect(
          bias.some((v) => v !== 0),
          `${name}: biases drawn, not zero`,
        ).toBe(true);
        if (w.length >= 1000) {
          const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
          expect(std / (bound / Math.sqrt(3)), `${name} std`).toBeCloseTo(1, 1);
        }
      }
      Object.values(net.params).forEach((v) => v.dispose());
    }
  });

  it('bad configs and inputs fail with the field or shape named', () => {
    expect(() => validateArch({ ...archConfig('mlp'), hidden: 0 })).toThrow(/hidden must be a positive integer, got 0/);
    expect(() => validateArch({ ...archConfig('mlp'), kind: 'resnet' })).toThrow(/unknown kind 'resnet'/);
    expect(() => validateArch({ ...archConfig('dcgan28'), outputShape: [32, 32, 1] })).toThrow(
      /dcgan28 makes \[28, 28, channels\]/,
    );
    expect(() => validateArch({ ...archConfig('mlp'), criticNorm: 'batch' })).toThrow(
      /criticNorm must be 'none' or 'layer'/,
    );
    expect(() => validateArch({ ...archConfig('mlp'), outputRange: [0, 255] })).toThrow(/outputRange/);
    const generator = createGenerator(archConfig('mlp', { hidden: 4, depth: 1 }), 1);
    const z = tf.zeros([3, 5]);
    expect(() => generator.apply(generator.params, z)).toThrow(
      /mlp generator expects input \[batch, 2\], got \[3, 5\]/,
    );
    z.dispose();
    Object.values(generator.params).forEach((v) => v.dispose());
  });
});

describe('latents', () => {
  it('same seed: same numbers on cpu and wasm; shape and standard normal moments', async () => {
    const onWasm = (await latents(2000, 4, 42).data()) as Float32Array;
    await initBackend({ backend: 'cpu' });
    const onCpu = await latents(2000, 4, 42).data();
    await initBackend({ backend: 'wasm' });
    expect(Array.from(onCpu)).toEqual(Array.from(onWasm));
    const mean = onWasm.reduce((a, b) => a + b, 0) / onWasm.length;
    const variance = onWasm.reduce((a, b) => a + (b - mean) ** 2, 0) / onWasm.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.06);
    expect(Array.from(await latents(3, 4, 43).data())).not.toEqual(Array.from(onWasm.slice(0, 12)));
    expect(() => latents(0, 4, 1)).toThrow(/n must be a positive integer/);
  });
});
