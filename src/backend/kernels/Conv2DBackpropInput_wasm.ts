/**
 * A fast Conv2DBackpropInput (transposed convolution) for the WASM backend. tfjs 4.22's own
 * runs a plain C++ loop at about a tenth of the speed of its XNNPACK Conv2D, and every
 * generator layer and every conv's input gradient goes through it.
 *
 * Sub-pixel decomposition: with stride s, the rows of dx whose index is p mod s only ever meet
 * the filter taps kh = r, r + s, r + 2s, ... (r fixed by p and the padding). So dx splits into
 * s*s stride-1 convolutions of dy, one per output phase (p_h, p_w), each with its own flipped
 * sub-filter; together they do exactly the transposed conv's multiply-adds, on XNNPACK's Conv2D.
 * The phase images are then interleaved by transposes.
 *
 * Per axis (rows shown), for phase p: u = p + padBefore, r = u mod s, c = floor(u / s), the
 * sub-filter holds the M = ceil((K - r) / s) taps W[r + s*m], flipped, and
 *   dx[t*s + p] = sum_m dy[t + c - m] * W[r + s*m],   t = 0 .. ceil(H / s) - 1,
 * a stride-1 correlation of dy padded by M - 1 - c before and T - OH + c after.
 *
 * NCHW, and paddings for which one phase would need negative padding or has no taps (K < s),
 * go to the built-in kernel.
 */
import {
  backend_util,
  Conv2DBackpropInput,
  getKernel,
  type Conv2DBackpropInputAttrs,
  type KernelBackend,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { composeKernels, type MakeConstant, type RunKernel } from './compose';

type KernelArgs = { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: KernelBackend; attrs: Conv2DBackpropInputAttrs };
type KernelFunc = (args: KernelArgs) => TensorInfo;

const builtinConfig = getKernel(Conv2DBackpropInput, 'wasm');
if (builtinConfig == null) {
  throw new Error('wgan-edge: @tensorflow/tfjs-backend-wasm registered no Conv2DBackpropInput kernel to speed up.');
}
/** tfjs' own kernel: the fallback, and the reference the fast one is tested against. */
export const builtinConv2DBackpropInputWasm = builtinConfig.kernelFunc as unknown as KernelFunc;

/** One axis of one output phase: which filter taps it uses and how dy is padded for them. */
interface PhaseAxis {
  /** Its last tap r + s*(M - 1): the flipped sub-filter starts there and steps back by s. */
  lastTap: number;
  taps: number;
  stride: number;
  /** Where its taps start in the phase-ordered filter. */
  offset: number;
  padBefore: number;
  padAfter: number;
}

function phaseAxes(kernelSize: number, stride: number, padBefore: number, inSize: number, outSize: number): PhaseAxis[] | null {
  const phaseLength = Math.ceil(inSize / stride);
  const axes: PhaseAxis[] = [];
  let offset = 0;
  for (let phase = 0; phase < stride; phase++) {
    const u = phase + padBefore;
    const r = u % stride;
    const c = Math.floor(u / stride);
    const taps = Math.ceil((kernelSize - r) / stride);
    const axis = { lastTap: r + stride * (taps - 1), taps, stride, offset, padBefore: taps - 1 - c, padAfter: phaseLength - outSize + c };
    if (taps <= 0 || axis.padBefore < 0 || axis.padAfter < 0) return null;
    axes.push(axis);
    offset += taps;
  }
  return axes;
}

export function conv2DBackpropInputWasm(args: KernelArgs): TensorInfo {
  const { inputs: { dy, filter }, backend, attrs } = args;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  if (dy.shape.length !== 4 || filter.shape.length !== 4) {
    throw new Error(`Conv2DBackpropInput (wasm): dy and filter must be rank 4, got dy [${dy.shape}] and filter [${filter.shape}].`);
  }
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (info.outShape.some((size, axis) => size !== dy.shape[axis])) {
    throw new Error(
      `Conv2DBackpropInput (wasm): dy has shape [${dy.shape}], but a conv of an input [${inputShape}] with filter ` +
        `[${filter.shape}], strides ${JSON.stringify(strides)} and pad ${JSON.stringify(pad)} gives [${info.outShape}].`,
    );
  }
  const rows = phaseAxes(info.filterHeight, info.strideHeight, info.padInfo.top, info.inHeight, info.outHeight);
  const cols = phaseAxes(info.filterWidth, info.strideWidth, info.padInfo.left, info.inWidth, info.outWidth);
  if (info.dataFormat !== 'channelsLast' || rows == null || cols == null) return builtinConv2DBackpropInputWasm(args);

  const { batchSize, inHeight, inWidth, inChannels, strideHeight, strideWidth } = info;
  const rowLength = Math.ceil(inHeight / strideHeight);
  const colLength = Math.ceil(inWidth / strideWidth);
  return composeKernels('wasm', backend, (run, constant) => {
    const arranged = arrangeFilter(run, constant, filter, rows, cols);
    const single = rows.length === 1 && cols.length === 1;
    const phases: TensorInfo[] = [];
    for (const row of rows) {
      for (const col of cols) {
        const sub = single ? arranged : run('Slice', { x: arranged }, { begin: [row.offset, col.offset, 0, 0], size: [row.taps, col.taps, -1, -1] });
        phases.push(run('Reshape', { x: phaseConv(run, dy, sub, row, col) }, { shape: [1, -1] }));
      }
    }
    // Row t*s + p of dx is row t of phase p. The interleave is two transposes of rank <= 4:
    // the backend's transpose of rank 5 and 6 is a slow generic loop (about 100x slower).
    const stacked = phases.length === 1 ? phases[0] : run('Concat', phases, { axis: 0 });
    const byColumnPhase = run('Reshape', { x: stacked }, { shape: [strideHeight, strideWidth, batchSize * rowLength * colLength, inChannels] });
    const columnsInterleaved = run('Transpose', { x: byColumnPhase }, { perm: [0, 2, 1, 3] });
    const byRowPhase = run('Reshape', { x: columnsInterleaved }, { shape: [strideHeight, batchSize * rowLength, colLength * strideWidth * inChannels] });
    const rowsInterleaved = run('Transpose', { x: byRowPhase }, { perm: [1, 0, 2] });
    const whole = run('Reshape', { x: rowsInterleaved }, { shape: [batchSize, rowLength * strideHeight, colLength * strideWidth, inChannels] });
    const exact = rowLength * strideHeight === inHeight && colLength * strideWidth === inWidth;
    return exact ? whole : run('Slice', { x: whole }, { begin: [0, 0, 0, 0], size: [-1, inHeight, inWidth, -1] });
  });
}

/** A permutation matrix whose row i picks the tap that slot i of the phase-ordered filter holds. */
function tapPermutation(axes: PhaseAxis[], kernelSize: number): Float32Array {
  const matrix = new Float32Array(kernelSize * kernelSize);
  for (const axis of axes) {
    for (let j = 0; j < axis.taps; j++) matrix[(axis.offset + j) * kernelSize + axis.lastTap - axis.stride * j] = 1;
  }
  return matrix;
}

/**
 * W [KH,KW,Cin,Cout] -> [KH,KW,Cout,Cin] with the taps of each axis regrouped by phase and
 * flipped, so each phase's sub-filter is one block. The regrouping is a product with a 0/1
 * permutation matrix per axis (exact in float32): the backend's StridedSlice and Reverse are
 * generic loops 50-100x slower than its matmul.
 */
function arrangeFilter(run: RunKernel, constant: MakeConstant, filter: TensorInfo, rows: PhaseAxis[], cols: PhaseAxis[]): TensorInfo {
  const [kh, kw, inChannels, outChannels] = filter.shape;
  const rowsMatrix = constant([kh, kh], tapPermutation(rows, kh));
  const colsMatrix = constant([kw, kw], tapPermutation(cols, kw));
  const byRow = run('BatchMatMul', { a: rowsMatrix, b: run('Reshape', { x: filter }, { shape: [kh, -1] }) }, { transposeA: false, transposeB: false });
  const colsFirst = run('Transpose', { x: run('Reshape', { x: byRow }, { shape: [kh, kw, -1] }) }, { perm: [1, 0, 2] });
  const byCol = run('BatchMatMul', { a: colsMatrix, b: run('Reshape', { x: colsFirst }, { shape: [kw, -1] }) }, { transposeA: false, transposeB: false });
  return run('Transpose', { x: run('Reshape', { x: byCol }, { shape: [kw, kh, inChannels, outChannels] }) }, { perm: [1, 0, 3, 2] });
}

function phaseConv(run: RunKernel, dy: TensorInfo, filter: TensorInfo, row: PhaseAxis, col: PhaseAxis): TensorInfo {
  return run('Conv2D', { x: dy, filter }, {
    strides: 1,
    dilations: 1,
    pad: [[0, 0], [row.padBefore, row.padAfter], [col.padBefore, col.padAfter], [0, 0]],
    dataFormat: 'NHWC',
  });
}

export const conv2DBackpropInputWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  // The built-in kernel's setup binds the C++ function it falls back to.
  setupFunc: builtinConfig.setupFunc,
  kernelFunc: conv2DBackpropInputWasm as unknown as KernelConfig['kernelFunc'],
};
