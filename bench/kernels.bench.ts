/**
 * GFLOP/s of the kernels a conv GAN spends its time in, per backend: Conv2D (critic forward),
 * Conv2DBackpropInput (generator forward, every input gradient), Conv2DBackpropFilter (every
 * weight gradient) at the MNIST WGAN-GP shapes, and a 512x512 matMul. And depthwise
 * convolutions: the forward next to its two backprops (on wasm composed on the forward's
 * XNNPACK kernel, src/backend/kernels/DepthwiseConv2dNativeBackprop_wasm.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import '../src/index';
import { builtinConv2DBackpropInputWasm } from '../src/backend/kernels/Conv2DBackpropInput_wasm';
import { rateEntry, saveSuite, timeRuns, type BenchEntry, type RunCounts } from './harness';

const SUITE = 'kernels';

interface BackendPlan {
  backend: string;
  batch: number;
  counts: RunCounts;
}

// The CPU backend runs at 0.02-1 GFLOP/s (its Conv2DBackpropFilter is the slowest): a batch of 1
// and fewer runs keep it to seconds.
const PLANS: BackendPlan[] = [
  { backend: 'wasm', batch: 64, counts: { warmup: 2, runs: 7 } },
  { backend: 'cpu', batch: 1, counts: { warmup: 1, runs: 3 } },
];

/** The gan_mnist.py layers (DIM 64, 5x5, stride 2, 'same'); each generator layer is the transpose of a conv listed here. */
const CONV_LAYERS = [
  { name: '28x28x1->14x14x64 (critic 1, generator 3)', input: [28, 28, 1], filter: [5, 5, 1, 64] },
  { name: '14x14x64->7x7x128 (critic 2, generator 2)', input: [14, 14, 64], filter: [5, 5, 64, 128] },
  { name: '7x7x128->4x4x256 (critic 3)', input: [7, 7, 128], filter: [5, 5, 128, 256] },
  { name: '8x8x128->4x4x256 (generator 1)', input: [8, 8, 128], filter: [5, 5, 128, 256] },
] as const;
// The built-in wasm Conv2DBackpropInput takes ~0.5 s a run at these shapes: fewer runs.
const BUILTIN_COUNTS: RunCounts = { warmup: 1, runs: 3 };
const STRIDE = 2;
const PAD = 'same';
const MATMUL_SIZE = 512;

/** Runs a kernel and waits for its result, then frees it. */
function syncedRun(run: () => tf.Tensor): () => Promise<void> {
  return async () => {
    const out = run();
    await out.data();
    out.dispose();
  };
}

async function convEntries(plan: BackendPlan): Promise<BenchEntry[]> {
  const entries: BenchEntry[] = [];
  for (const layer of CONV_LAYERS) {
    const xShape = [plan.batch, ...layer.input] as [number, number, number, number];
    const filterShape = [...layer.filter] as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, STRIDE, 1, PAD);
    const gflop =
      (2 * info.outShape.reduce((a, b) => a * b, 1) * info.filterHeight * info.filterWidth * info.inChannels) / 1e9;
    const x = tf.randomNormal(xShape);
    const filter = tf.randomNormal(filterShape);
    const dy = tf.randomNormal(info.outShape);
    const common = { strides: STRIDE, pad: PAD, dataFormat: 'NHWC' };
    const cases: { kernel: string; counts: RunCounts; run: () => tf.Tensor }[] = [
      {
        kernel: 'Conv2D',
        counts: plan.counts,
        run: () => tf.engine().runKernel('Conv2D', { x, filter }, { ...common, dilations: 1 }) as tf.Tensor,
      },
      {
        kernel: 'Conv2DBackpropInput',
        counts: plan.counts,
        run: () =>
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...common, inputShape: xShape }) as tf.Tensor,
      },
      {
        kernel: 'Conv2DBackpropFilter',
        counts: plan.counts,
        run: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape }) as tf.Tensor,
      },
    ];
    if (plan.backend === 'wasm') {
      // The kernel that src/backend/kernels replaces, for the before/after ratio.
      const builtin = () =>
        builtinConv2DBackpropInputWasm({
          inputs: { dy, filter },
          backend: tf.backend(),
          attrs: { ...common, inputShape: xShape } as never,
        });
      cases.splice(2, 0, {
        kernel: 'Conv2DBackpropInput tfjs built-in',
        counts: BUILTIN_COUNTS,
        run: () => tf.engine().makeTensorFromTensorInfo(builtin()),
      });
    }
    const times = await timeRuns(cases.map(({ counts, run }) => ({ counts, once: syncedRun(run) })));
    cases.forEach(({ kernel }, i) => {
      entries.push(
        rateEntry(
          {
            suite: SUITE,
            name: `${kernel} ${layer.name}`,
            backend: plan.backend,
            unit: 'GFLOP/s',
            detail: { batch: plan.batch, x: xShape, filter: filterShape, stride: STRIDE, pad: PAD },
          },
          gflop,
          times[i],
        ),
      );
    });
    tf.dispose([x, filter, dy]);
  }
  return entries;
}

/** 3x3 depthwise layers, multiplier 1, as a separable-conv critic has them. */
const DEPTHWISE_LAYERS = [
  { name: '28x28x32 3x3 stride 1', input: [28, 28, 32], filter: [3, 3, 32, 1], stride: 1 },
  { name: '28x28x64 3x3 stride 2', input: [28, 28, 64], filter: [3, 3, 64, 1], stride: 2 },
] as const;

async function depthwiseEntries(plan: BackendPlan): Promise<BenchEntry[]> {
  const entries: BenchEntry[] = [];
  for (const layer of DEPTHWISE_LAYERS) {
    const xShape = [plan.batch, ...layer.input] as [number, number, number, number];
    const filterShape = [...layer.filter] as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, layer.stride, 1, PAD, undefined, true);
    const gflop = (2 * info.outShape.reduce((a, b) => a * b, 1) * info.filterHeight * info.filterWidth) / 1e9;
    const x = tf.randomNormal(xShape);
    const filter = tf.randomNormal(filterShape);
    const dy = tf.randomNormal(info.outShape);
    const common = { strides: layer.stride, pad: PAD, dilations: 1 };
    const cases = [
      {
        kernel: 'DepthwiseConv2dNative',
        run: () => tf.engine().runKernel('DepthwiseConv2dNative', { x, filter }, common as never) as tf.Tensor,
      },
      {
        kernel: 'DepthwiseConv2dNativeBackpropInput',
        run: () =>
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, {
            ...common,
            inputShape: xShape,
          } as never) as tf.Tensor,
      },
      {
        kernel: 'DepthwiseConv2dNativeBackpropFilter',
        run: () =>
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, {
            ...common,
            filterShape,
          } as never) as tf.Tensor,
      },
    ];
    const times = await timeRuns(cases.map(({ run }) => ({ counts: plan.counts, once: syncedRun(run) })));
    cases.forEach(({ kernel }, i) => {
      entries.push(
        rateEntry(
          {
            suite: SUITE,
            name: `${kernel} ${layer.name}`,
            backend: plan.backend,
            unit: 'GFLOP/s',
            detail: { batch: plan.batch, x: xShape, filter: filterShape, stride: layer.stride, pad: PAD },
          },
          gflop,
          times[i],
        ),
      );
    });
    tf.dispose([x, filter, dy]);
  }
  return entries;
}

async function matMulEntry(plan: BackendPlan): Promise<BenchEntry> {
  const a = tf.randomNormal([MATMUL_SIZE, MATMUL_SIZE]);
  const b = tf.randomNormal([MATMUL_SIZE, MATMUL_SIZE]);
  const [times] = await timeRuns([{ counts: plan.counts, once: syncedRun(() => tf.matMul(a, b)) }]);
  tf.dispose([a, b]);
  return rateEntry(
    {
      suite: SUITE,
      name: `matMul ${MATMUL_SIZE}x${MATMUL_SIZE}`,
      backend: plan.backend,
      unit: 'GFLOP/s',
      detail: { size: MATMUL_SIZE },
    },
    (2 * MATMUL_SIZE ** 3) / 1e9,
    times,
  );
}

it('kernel GFLOP/s per backend', async () => {
  const entries: BenchEntry[] = [];
  for (const plan of PLANS) {
    await tf.setBackend(plan.backend);
    entries.push(...(await convEntries(plan)), ...(await depthwiseEntries(plan)), await matMulEntry(plan));
  }
  saveSuite(SUITE, entries);
});
