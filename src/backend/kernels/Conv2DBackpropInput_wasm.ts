/**
 * A fast Conv2DBackpropInput (transposed convolution) for the WASM backend. tfjs 4.22's own
 * runs a plain C++ loop at about a tenth of the speed of its XNNPACK Conv2D, and every
 * generator layer and every conv's input gradient goes through it.
 *
 * Sub-pixel decomposition: with stride s, the rows of dx whose index is p mod s only ever meet
 * the filter taps kh = r, r + s, r + 2s, ... (r fixed by p and the padding). So dx splits into
 * s*s stride-1 convolutions of dy, one per output phase (p_h, p_w), each with its own flipped
 * sub-filter; together they do exactly the transposed conv's multiply-adds, on XNNPACK's Conv2D.
 * The phase images are then interleaved by transposes. With few input channels all phases run
 * as one conv instead (see COMBINED_PHASES_BELOW_CHANNELS).
 *
 * Per axis (rows shown), for phase p: u = p + padBefore, r = u mod s, c = floor(u / s), the
 * sub-filter holds the M = ceil((K - r) / s) taps W[r + s*m], flipped, and
 *   dx[t*s + p] = sum_m dy[t + c - m] * W[r + s*m],   t = 0 .. ceil(H / s) - 1,
 * a stride-1 correlation of dy padded by M - 1 - c before and T - OH + c after.
 *
 * Where H is not a multiple of s (dcgan28 crops its first transposed conv to 7x7), each phase's
 * own conv (not the combined one) leaves out its rows past H; zeros take their place for the
 * interleaving, then the crop drops them: 28% fewer multiply-adds for dcgan28's first transposed conv. The outputs near dy's
 * edges still multiply zero padding (22% of that conv's remaining multiply-adds, 16% of the
 * next one's). Splitting them off as convs of their own, with fewer taps over slices of dy,
 * measured 1.5x slower: the backend's Slice copies its input, then one innermost run at a time,
 * and XNNPACK ran those thin convs about 3x slower per multiply-add.
 *
 * NCHW, and paddings that leave dy rows no phase reads, go to the built-in kernel.
 */
import {
  Conv2DBackpropInput,
  getKernel,
  type Conv2DBackpropInputAttrs,
  type KernelBackend,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { composeKernels, type MakeConstant, type RunKernel } from './compose';
import { backpropConvInfo, type Shape4 } from './conv_info';

type KernelArgs = {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: KernelBackend;
  attrs: Conv2DBackpropInputAttrs;
};
type KernelFunc = (args: KernelArgs) => TensorInfo;

const builtinConfig = getKernel(Conv2DBackpropInput, 'wasm');
if (builtinConfig == null) {
  throw new Error('wgan-edge: @tensorflow/tfjs-backend-wasm registered no Conv2DBackpropInput kernel to speed up.');
}
/** tfjs' own kernel: the fallback, and the reference the fast one is tested against. */
export const builtinConv2DBackpropInputWasm = builtinConfig.kernelFunc as unknown as KernelFunc;

/** One axis of one output phase. */
interface PhaseAxis {
  /** Tap j of the phase's flipped sub-filter is W[lastTap - stride * j], j < taps. */
  lastTap: number;
  taps: number;
  /** Output row t of the phase reads dy rows t - padBefore .. t - padBefore + taps - 1. */
  padBefore: number;
}

/** Phases of one axis that run as one conv: a common padding, their taps in `slots` slots. */
interface AxisGroup {
  phases: PhaseAxis[];
  stride: number;
  padBefore: number;
  padAfter: number;
  slots: number;
  /** The conv's output rows. */
  length: number;
}

function phaseAxes(kernelSize: number, stride: number, padBefore: number): PhaseAxis[] {
  const axes: PhaseAxis[] = [];
  for (let phase = 0; phase < stride; phase++) {
    const u = phase + padBefore;
    const r = u % stride;
    const taps = Math.ceil((kernelSize - r) / stride);
    axes.push({ lastTap: r + stride * (taps - 1), taps, padBefore: taps - 1 - Math.floor(u / stride) });
  }
  return axes;
}

/**
 * A phase that would need negative padding before gets leading zero taps instead. Null where dy
 * has rows past what the group reads (negative padding after), or the group has no taps at all
 * (kernel smaller than the stride).
 */
function groupAxis(phases: PhaseAxis[], stride: number, phaseLength: number, outSize: number): AxisGroup | null {
  const padBefore = Math.max(0, ...phases.map((p) => p.padBefore));
  const slots = Math.max(...phases.map((p) => p.taps + padBefore - p.padBefore));
  const padAfter = phaseLength - outSize - padBefore + slots - 1;
  return padAfter >= 0 && slots > 0 ? { phases, stride, padBefore, padAfter, slots, length: phaseLength } : null;
}

/**
 * One axis's groups: all phases as one (`combined`, see COMBINED_PHASES_BELOW_CHANNELS), or one
 * group per phase, each computing only the phase's rows inside the crop (inSize), or all
 * phaseLength rows where dy has rows past what those read.
 */
function axisGroups(
  combined: boolean,
  kernelSize: number,
  stride: number,
  padBefore: number,
  outSize: number,
  inSize: number,
  phaseLength: number,
): (AxisGroup | null)[] {
  const phases = phaseAxes(kernelSize, stride, padBefore);
  if (combined) return [groupAxis(phases, stride, phaseLength, outSize)];
  return phases.map((phase, p) => {
    const kept = Math.ceil((inSize - p) / stride);
    return (
      (kept > 0 ? groupAxis([phase], stride, kept, outSize) : null) ?? groupAxis([phase], stride, phaseLength, outSize)
    );
  });
}

/**
 * Below this many input channels the phases run as one conv with s*s*Cin output channels, their
 * taps zero-filled to a common size (for 5x5, stride 2: 36 multiply-adds instead of 25): XNNPACK
 * is several times slower per multiply-add with one or two output channels than with many.
 */
const COMBINED_PHASES_BELOW_CHANNELS = 8;

export function conv2DBackpropInputWasm(args: KernelArgs): TensorInfo {
  const {
    inputs: { dy, filter },
    backend,
    attrs,
  } = args;
  if (filter.shape.length !== 4) {
    throw new Error(`Conv2DBackpropInput (wasm): filter must be rank 4, got [${filter.shape}].`);
  }
  const info = backpropConvInfo('Conv2DBackpropInput', attrs.inputShape, filter.shape as Shape4, attrs, dy);
  const { batchSize, inHeight, inWidth, inChannels, strideHeight, strideWidth } = info;
  const rowLength = Math.ceil(inHeight / strideHeight);
  const colLength = Math.ceil(inWidth / strideWidth);
  const [kh, kw, , outChannels] = filter.shape;
  const combined = inChannels < COMBINED_PHASES_BELOW_CHANNELS;
  const rowGroups = axisGroups(combined, kh, strideHeight, info.padInfo.top, info.outHeight, inHeight, rowLength);
  const colGroups = axisGroups(combined, kw, strideWidth, info.padInfo.left, info.outWidth, inWidth, colLength);
  if (info.dataFormat !== 'channelsLast' || rowGroups.includes(null) || colGroups.includes(null)) {
    return builtinConv2DBackpropInputWasm(args);
  }

  const groupFilter = (rows: AxisGroup, cols: AxisGroup) =>
    cachedPhaseFilter(backend, filter, JSON.stringify([rows, cols]), () =>
      composeKernels('wasm', backend, (run, constant) => {
        const taps = run('Reshape', { x: filter }, { shape: [kh * kw, inChannels * outChannels] });
        return phaseFilter(run, constant, taps, rows, cols, [kh, kw, inChannels, outChannels]);
      }),
    );
  return composeKernels('wasm', backend, (run) => {
    const outputs: TensorInfo[] = [];
    for (const rows of rowGroups as AxisGroup[]) {
      for (const cols of colGroups as AxisGroup[]) {
        const out = run(
          'Conv2D',
          { x: dy, filter: groupFilter(rows, cols) },
          {
            strides: 1,
            dilations: 1,
            pad: [
              [0, 0],
              [rows.padBefore, rows.padAfter],
              [cols.padBefore, cols.padAfter],
              [0, 0],
            ],
            dataFormat: 'NHWC',
          },
        );
        // A phase without the rows past the crop: zeros in their place, cropped below.
        const paddings = [
          [0, 0],
          [0, rowLength - rows.length],
          [0, colLength - cols.length],
          [0, 0],
        ];
        outputs.push(
          paddings.some(([, after]) => after > 0) ? run('PadV2', { x: out }, { paddings, constantValue: 0 }) : out,
        );
      }
    }
    // Row t*s + p of dx is row t of phase p. The interleaving transposes are of rank <= 4: the
    // backend's transpose of rank 5 and 6 is a generic loop about 100x slower.
    let whole: TensorInfo;
    if (strideHeight === 1 && strideWidth === 1) {
      whole = outputs[0];
    } else if (combined) {
      // One output [B, T_h, T_w, (p_h, p_w, Cin)].
      const split = run(
        'Reshape',
        { x: outputs[0] },
        { shape: [batchSize * rowLength, colLength, strideHeight, strideWidth * inChannels] },
      );
      whole = run('Transpose', { x: split }, { perm: [0, 2, 1, 3] });
    } else {
      // s_h * s_w outputs [B, T_h, T_w, Cin], in (p_h, p_w) order.
      const stacked = run(
        'Concat',
        outputs.map((x) => run('Reshape', { x }, { shape: [1, -1] })),
        { axis: 0 },
      );
      const byColumnPhase = run(
        'Reshape',
        { x: stacked },
        { shape: [strideHeight, strideWidth, batchSize * rowLength * colLength, inChannels] },
      );
      const columnsInterleaved = run('Transpose', { x: byColumnPhase }, { perm: [0, 2, 1, 3] });
      const byRowPhase = run(
        'Reshape',
        { x: columnsInterleaved },
        { shape: [strideHeight, batchSize * rowLength, colLength * strideWidth * inChannels] },
      );
      whole = run('Transpose', { x: byRowPhase }, { perm: [1, 0, 2] });
    }
    const [fullHeight, fullWidth] = [rowLength * strideHeight, colLength * strideWidth];
    if (fullHeight === inHeight && fullWidth === inWidth) {
      return run('Reshape', { x: whole }, { shape: [batchSize, inHeight, inWidth, inChannels] });
    }
    // The crop, on rows of W*Cin values: the backend's Slice copies one innermost run at a time.
    const cropped = run(
      'Slice',
      { x: run('Reshape', { x: whole }, { shape: [batchSize, fullHeight, fullWidth * inChannels] }) },
      { begin: [0, 0, 0], size: [-1, inHeight, inWidth * inChannels] },
    );
    return run('Reshape', { x: cropped }, { shape: [batchSize, inHeight, inWidth, inChannels] });
  });
}

/**
 * Phase filters by the data of the filter they came from, and by the phase group. Sampling runs
 * the same weights again and again, and XNNPACK keeps its packed copy of a conv's weights per
 * filter tensor: a phase filter made once spares the matmul that picks the taps and XNNPACK's
 * repacking at every call, most of a call's time at batch 1. Freed with the filter's data.
 */
const phaseFilters = new WeakMap<object, Map<string, TensorInfo>>();

function cachedPhaseFilter(
  backend: KernelBackend,
  filter: TensorInfo,
  key: string,
  make: () => TensorInfo,
): TensorInfo {
  freePhaseFiltersWithTheirFilter(backend);
  let byGroup = phaseFilters.get(filter.dataId);
  if (byGroup == null) phaseFilters.set(filter.dataId, (byGroup = new Map()));
  let made = byGroup.get(key);
  if (made == null) byGroup.set(key, (made = make()));
  return made;
}

const backendsWatched = new WeakSet<KernelBackend>();

/**
 * Wraps the backend's disposeData: when a filter's data is freed (a training step replaced the
 * weights, a temporary filter was disposed), so are the phase filters made from it.
 */
function freePhaseFiltersWithTheirFilter(backend: KernelBackend): void {
  if (backendsWatched.has(backend)) return;
  backendsWatched.add(backend);
  const disposeData = backend.disposeData.bind(backend);
  backend.disposeData = (dataId: object, force?: boolean) => {
    const freed = disposeData(dataId, force);
    const byGroup = freed ? phaseFilters.get(dataId) : undefined;
    if (byGroup != null) {
      phaseFilters.delete(dataId);
      for (const made of byGroup.values()) disposeData(made.dataId, true);
    }
    return freed;
  };
}

/**
 * The conv filter [S_h, S_w, Cout, (p_h, p_w, Cin)] of a group of phases: each phase's taps of
 * W, flipped, in its slots, zeros elsewhere. Picked by a matmul with a 0/1 matrix (exact in
 * float32 for finite weights): the backend's StridedSlice and Reverse are generic loops 50-100x
 * slower.
 */
function phaseFilter(
  run: RunKernel,
  constant: MakeConstant,
  taps: TensorInfo,
  rows: AxisGroup,
  cols: AxisGroup,
  [kh, kw, inChannels, outChannels]: number[],
): TensorInfo {
  const phaseCount = rows.phases.length * cols.phases.length;
  const slots = rows.slots * cols.slots;
  // Row (slot, phase) of the product takes W's tap picked for that slot of that phase.
  const picks = new Float32Array(slots * phaseCount * kh * kw);
  rows.phases.forEach((rowPhase, a) => {
    cols.phases.forEach((colPhase, b) => {
      for (let i = 0; i < rowPhase.taps; i++) {
        for (let j = 0; j < colPhase.taps; j++) {
          const tap = (rowPhase.lastTap - rows.stride * i) * kw + (colPhase.lastTap - cols.stride * j);
          const slot =
            (i + rows.padBefore - rowPhase.padBefore) * cols.slots + (j + cols.padBefore - colPhase.padBefore);
          picks[(slot * phaseCount + a * cols.phases.length + b) * kh * kw + tap] = 1;
        }
      }
    });
  });
  const picked = run(
    'BatchMatMul',
    { a: constant([slots * phaseCount, kh * kw], picks), b: taps },
    { transposeA: false, transposeB: false },
  );
  const split = run('Reshape', { x: picked }, { shape: [slots, phaseCount, inChannels, outChannels] });
  const outFirst = run('Transpose', { x: split }, { perm: [0, 3, 1, 2] });
  return run('Reshape', { x: outFirst }, { shape: [rows.slots, cols.slots, outChannels, phaseCount * inChannels] });
}

export const conv2DBackpropInputWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  // The built-in kernel's setup binds the C++ function it falls back to.
  setupFunc: builtinConfig.setupFunc,
  kernelFunc: conv2DBackpropInputWasm as unknown as KernelConfig['kernelFunc'],
};
