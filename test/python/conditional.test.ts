// Conditional (label) models in the PyTorch twin: a conditional run on MNIST trains and exports a
// folder whose architecture keeps `labels`, whose critic keeps 'projection/kernel' and which holds
// the run's history.json; wgan-edge loads it and draws the checkpoint's samples for the same latents
// and labels (API, mixed labels; CLI, --label 7), the folder loads back into the twin unchanged,
// and bad labels are refused with messages that name the problem (config.ts's own for `labels`).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import { generatorFromModel } from '../../src/io/networks';
import { loadModelDir } from '../../src/io/node_files';
import { npyFile } from '../../src/io/npy';
import { createCritic, paramShapes } from '../../src/models';
import { archConfig, validateArch } from '../../src/models/config';
import { assignParams, disposeParams } from '../../src/nn/params';
import { generateSamples } from '../../src/sample/generate';
import { Rng } from '../../src/utils/rng';
import { archVerdicts, describeWithTorch, maxAbs, maxAbsDiff, PYTHON, readNpy, ROOT, run, writeNpy } from './twin';

const CLI = join(ROOT, 'dist/cli.cjs');
const TOLERANCE = 1e-4;
const LATENTS = 12;
const DIM = 4;

const twin = (...args: string[]) => run(PYTHON, ['-m', 'wgan_edge_torch', ...args]);
const writeLabels = (path: string, labels: ArrayLike<number>) => writeFile(path, npyFile(Uint8Array.from(labels), [labels.length]));

describeWithTorch('PyTorch twin: conditional models', () => {
  let dir: string;
  let checkpoint: string;
  let model: string;
  let z: string;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-twin-conditional-'));
    checkpoint = join(dir, 'run.pt');
    model = join(dir, 'model');
    z = join(dir, 'z.npy');
    const rng = new Rng(3);
    await writeNpy(z, Float32Array.from({ length: LATENTS * 128 }, () => rng.normal()), [LATENTS, 128]);
    const train = await twin('train', '--data', 'mnist', '--conditional', '--dim', String(DIM), '--batch', '8', '--steps', '2', '--threads', '1', '--device', 'cpu', '--out', checkpoint);
    expect(train.code, train.stderr).toBe(0);
    const exported = await twin('export', checkpoint, '--out', model);
    expect(exported.code, exported.stderr).toBe(0);
  }, 300_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("exports `labels` and the critic's projection in wgan-edge's names and shapes", async () => {
    const modelJson = JSON.parse(await readFile(join(model, 'model.json'), 'utf8'));
    const arch = archConfig('dcgan28', { dim: DIM, labels: 10 });
    expect(modelJson.architecture).toEqual(arch);
    const shapesOf = (network: string) => {
      const group = modelJson.weightsManifest.find((g: { network: string }) => g.network === network);
      return Object.fromEntries(group.weights.map((w: { name: string; shape: number[] }) => [w.name, w.shape]));
    };
    expect(shapesOf('critic')).toEqual(paramShapes(arch, 'critic'));
    expect(shapesOf('critic')['projection/kernel']).toEqual([10, 16 * 4 * DIM]);
    expect(shapesOf('generator')).toEqual(paramShapes(arch, 'generator'));
    expect(shapesOf('generator')['input/kernel']).toEqual([128 + 10, 16 * 4 * DIM]);
    // The run's curve points come with the export, as a wgan-edge run folder's history.json.
    const history = JSON.parse(await readFile(join(model, 'history.json'), 'utf8'));
    expect(history.at(-1)).toMatchObject({ step: 2, wasserstein: expect.any(Number), penalty: expect.any(Number) });
  });

  it("wgan-edge draws the checkpoint's samples for the same latents and labels (API and --label 7), and the folder loads back into the twin", async () => {
    const before = tf.memory().numTensors;
    const labels = Int32Array.from({ length: LATENTS }, (_, i) => (3 * i) % 10);
    const sevens = new Int32Array(LATENTS).fill(7);
    const [mixedPath, sevensPath] = [join(dir, 'labels.npy'), join(dir, 'sevens.npy')];
    await writeLabels(mixedPath, labels);
    await writeLabels(sevensPath, sevens);
    const out = (name: string) => join(dir, `${name}.npy`);
    const results = await Promise.all([
      twin('sample', checkpoint, '--latents', z, '--labels', mixedPath, '--out', out('checkpoint')),
      twin('sample', model, '--latents', z, '--labels', mixedPath, '--out', out('folder')),
      twin('sample', checkpoint, '--latents', z, '--labels', sevensPath, '--out', out('checkpoint7')),
      run('node', [CLI, 'sample', '--model', model, '--latents', z, '--label', '7', '--format', 'float32', '--out', out('edge7'), '--backend', 'cpu']),
    ]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const [fromCheckpoint, fromFolder, checkpoint7, edge7] = await Promise.all(['checkpoint', 'folder', 'checkpoint7', 'edge7'].map((name) => readNpy(out(name))));

    const folder = await loadModelDir(model);
    const generator = generatorFromModel(folder, model);
    const latents = (await readNpy(z)).values;
    const edge = (await generateSamples(generator, latents, 'float32', labels)).values;
    // The critic's weights, projection included, fit wgan-edge's conditional critic.
    const critic = createCritic(validateArch(folder.architecture), 0);
    assignParams(critic.params, folder.critic!, model);
    disposeParams(critic.params);
    disposeParams(generator.params);
    expect(tf.memory().numTensors).toBe(before);

    expect(fromCheckpoint.shape).toEqual([LATENTS, 28, 28, 1]);
    // The label changes the sample (by about 2e-3 in this 2-step model, 20 times the tolerance): a label dropped on either side could not pass.
    expect(maxAbsDiff(fromCheckpoint.values, checkpoint7.values)).toBeGreaterThan(10 * TOLERANCE);
    expect(maxAbs(fromCheckpoint.values.map((v, i) => v - fromCheckpoint.values[i % 784]))).toBeGreaterThan(100 * TOLERANCE);
    expect(maxAbsDiff(edge, fromCheckpoint.values)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(edge7.values, checkpoint7.values)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(fromFolder.values, fromCheckpoint.values)).toBe(0);
  }, 300_000);

  it('refuses missing, extra and out-of-range labels, and --conditional without labelled data', async () => {
    const bad = join(dir, 'bad.npy');
    await writeLabels(bad, [...Array(LATENTS - 1).fill(0), 10]);
    const short = join(dir, 'short.npy');
    await writeLabels(short, [1, 2]);
    const toyCheckpoint = join(dir, 'toy.pt');
    const [missing, outside, wrongCount, toy, trainedToy] = await Promise.all([
      twin('sample', model, '--latents', z, '--out', join(dir, 'x.npy')),
      twin('sample', model, '--latents', z, '--labels', bad, '--out', join(dir, 'x.npy')),
      twin('sample', model, '--latents', z, '--labels', short, '--out', join(dir, 'x.npy')),
      twin('train', '--data', '8gaussians', '--conditional', '--steps', '1', '--out', join(dir, 'never.pt')),
      twin('train', '--data', '8gaussians', '--dim', '8', '--batch', '4', '--steps', '1', '--device', 'cpu', '--out', toyCheckpoint),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/is a conditional model \(10 labels\): pass --labels/);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/label 10 at index 11 is outside 0\.\.9/);
    expect(wrongCount.code).toBe(1);
    expect(wrongCount.stderr).toMatch(/labels must have shape \[12\] \(one per latent\), got \[2\]/);
    expect(toy.code).toBe(2);
    expect(toy.stderr).toMatch(/--conditional needs labelled data: mnist, fashion-mnist, emoji, not --data 8gaussians/);
    expect(trainedToy.code, trainedToy.stderr).toBe(0);
    const toyZ = join(dir, 'toy_z.npy');
    await writeNpy(toyZ, new Float32Array(4), [2, 2]);
    await writeLabels(join(dir, 'two.npy'), [0, 1]);
    const extra = await twin('sample', toyCheckpoint, '--latents', toyZ, '--labels', join(dir, 'two.npy'), '--out', join(dir, 'x.npy'));
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/is an unconditional model, it takes no labels/);
  }, 300_000);

  it("validate_arch takes and refuses `labels` as config.ts's validateArch does, with its message", async () => {
    const base = archConfig('dcgan28', { dim: 4 });
    const configs = [10, 2, 1024, 1, 0, -3, 1025, 2.5, '10', null, true].map((labels) => ({ ...base, labels }));
    const { twin: verdicts, edge } = await archVerdicts(configs, dir);
    expect(edge.slice(0, 3)).toEqual([null, null, null]);
    expect(edge.slice(3).every((m) => m != null && m.includes('labels must be an integer from 2 to 1024'))).toBe(true);
    expect(verdicts).toEqual(edge);
  });
});
