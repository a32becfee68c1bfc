/**
 * The iteration every training figure times: one WGAN-GP generator iteration of the authors'
 * MNIST pair (gan_mnist.py: dcgan28), 5 critic steps with the gradient penalty + 1 generator
 * step, batch 64, through the library's Trainer. Also the FLOP count of a profiled run, taken
 * from the shapes of the kernels that ran (an independent count, not a formula).
 */
import * as tf from '@tensorflow/tfjs-core';
import { imageDataset } from '../src/data/images';
import { defaultsFor } from '../src/losses';
import { archConfig } from '../src/models/config';
import { Trainer } from '../src/train/trainer';
import { rateEntry, type BenchEntry } from './harness';

/** The batch (gan_mnist.py uses 50; 64 is the WGAN reference code's). */
export const ITERATION_BATCH = 64;
/** Critic updates per generator update: the WGAN-GP default (the paper's 5). */
export const ITERATION_CRITIC_STEPS = defaultsFor('wgan-gp', 'dcgan28').nCritic;
/** gan_mnist.py's DIM. */
export const AUTHORS_DIM = 64;
/**
 * The CPU backend's width. Its Conv2DBackpropFilter runs at ~0.03 GFLOP/s, so DIM 64
 * (~210 GFLOP) would take half an hour an iteration and DIM 8 (3.6 GFLOP) ~40 s; the convs'
 * FLOPs scale with DIM^2. The WASM/CPU ratio is measured with both backends at this width.
 */
export const CPU_DIM = 4;
/** Random digits to draw batches from: the timing does not depend on the pixels. */
const IMAGE_COUNT = 256;
const IMAGE_SIDE = 28;

/**
 * The bench entry of timed iterations (one iteration a run), named and described alike by every
 * suite that times them; `detail` adds what the suite knows (threads, adapter, ...).
 */
export function iterationEntry(
  suite: string,
  run: { dim: number; backend: string; gflop: number; timesMs: number[] },
  detail: Record<string, unknown>,
): BenchEntry {
  const { dim, backend, gflop, timesMs } = run;
  return rateEntry(
    {
      suite,
      name: `WGAN-GP iteration, dcgan28 DIM ${dim}${dim === CPU_DIM ? ' (reduced width)' : ''}, batch ${ITERATION_BATCH}`,
      backend,
      unit: 'it/s',
      detail: { dim, batch: ITERATION_BATCH, criticSteps: ITERATION_CRITIC_STEPS, gflop, ...detail },
    },
    1,
    timesMs,
  );
}

/** A WGAN-GP trainer of dcgan28 at width `dim` (paper settings: lambda 10, 5 critic steps, Adam 1e-4 (0.5, 0.9)). */
export function iterationTrainer(dim: number, seed = 1): Trainer {
  const pixels = new Uint8Array(IMAGE_COUNT * IMAGE_SIDE * IMAGE_SIDE);
  let state = seed;
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    pixels[i] = state >>> 24;
  }
  const arch = archConfig('dcgan28', { dim });
  const data = imageDataset(
    { data: pixels, shape: [IMAGE_COUNT, IMAGE_SIDE, IMAGE_SIDE, 1] },
    arch.outputRange,
    'bench digits',
  );
  return new Trainer({ loss: 'wgan-gp', arch, data, seed, batchSize: ITERATION_BATCH });
}

/** One generator iteration, readback included (Trainer.run awaits its scalars). */
export async function runIteration(trainer: Trainer): Promise<void> {
  await trainer.run({ steps: 1 });
}

type KernelInfo = Awaited<ReturnType<typeof tf.profile>>['kernels'][number];

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Multiply-adds x 2 of the kernels that do the arithmetic (convolutions, matmuls), from their
 * input and output shapes; 0 for the rest (elementwise work is memory-bound and small here).
 */
export function kernelFlops(kernel: KernelInfo): number {
  const inputs = kernel.inputShapes as number[][];
  const out = kernel.outputShapes[0] as number[];
  switch (kernel.name) {
    case 'Conv2D':
    case 'FusedConv2D': {
      const filter = inputs[1];
      return 2 * size(out) * filter[0] * filter[1] * filter[2];
    }
    // Both run dy [n, h, w, cout] against a [kh, kw, cin, cout] filter, whatever the output.
    case 'Conv2DBackpropInput': {
      const [dy, filter] = inputs;
      return 2 * size(dy) * filter[0] * filter[1] * filter[2];
    }
    case 'Conv2DBackpropFilter': {
      const dy = inputs[1];
      return 2 * size(dy) * out[0] * out[1] * out[2];
    }
    case 'BatchMatMul':
    case '_FusedMatMul': {
      // out [..., m, n]; a holds batch * m * k values whichever way it is transposed.
      const m = out[out.length - 2];
      const batch = size(out) / (m * out[out.length - 1]);
      const k = size(inputs[0]) / (batch * m);
      return 2 * size(out) * k;
    }
    default:
      return 0;
  }
}

export interface KernelShare {
  kernel: string;
  calls: number;
  ms: number;
  gflop: number;
}

/** Kernel time and FLOPs summed per kernel name, slowest first. */
export function kernelShares(kernels: KernelInfo[]): KernelShare[] {
  const byName = new Map<string, KernelShare>();
  for (const k of kernels) {
    const share = byName.get(k.name) ?? { kernel: k.name, calls: 0, ms: 0, gflop: 0 };
    share.calls++;
    share.ms += k.kernelTimeMs as number;
    share.gflop += kernelFlops(k) / 1e9;
    byName.set(k.name, share);
  }
  return [...byName.values()].sort((a, b) => b.ms - a.ms);
}

export interface IterationProfile {
  wallMs: number;
  shares: KernelShare[];
  gflop: number;
}

/** One profiled iteration: per-kernel wall time (tf.profile) and the iteration's GFLOP. */
export async function profileIteration(trainer: Trainer): Promise<IterationProfile> {
  const start = performance.now();
  const info = await tf.profile(() => runIteration(trainer));
  const wallMs = performance.now() - start;
  // kernelTimeMs arrives as a promise per kernel; tf.profile resolves them before returning.
  const shares = kernelShares(info.kernels);
  return { wallMs, shares, gflop: shares.reduce((s, k) => s + k.gflop, 0) };
}
