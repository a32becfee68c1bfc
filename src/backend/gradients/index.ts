/**
 * The gradient layer: every tfjs gradient, plus the fixes this project needs for correct
 * first- and second-order gradients on every backend. Importing this module puts it in force.
 *
 * Fused ops (tf.fused.matMul / conv2d) need no registered gradient: with a linear activation
 * they differentiate through their own customGrad, and with any other activation they run
 * unfused while a gradient tape is recording. Both are checked to second order.
 */
// tfjs-core first: register_all_gradients reads the DEBUG flag, which the core's index
// registers; a bundler that pre-bundles the deep import apart (vite) would otherwise run it
// first and fail with "Cannot evaluate flag 'DEBUG'".
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { installTapeOrderFix } from '../tape_order';
import { avgPoolGradConfig, avgPoolGradGradConfig } from './AvgPool_grad';
import { batchMatMulGradConfig } from './BatchMatMul_grad';
import { castGradConfig } from './Cast_grad';
import { conv2DBackpropFilterGradConfig } from './Conv2DBackpropFilter_grad';
import { depthToSpaceGradConfig } from './DepthToSpace_grad';
import {
  depthwiseBackpropFilterGradConfig,
  depthwiseBackpropInputGradConfig,
} from './DepthwiseConv2dNativeBackprop_grad';
import { eluGradGradConfig } from './EluGrad_grad';
import { equalGradConfig } from './Equal_grad';
import { fusedBatchNormGradConfig } from './FusedBatchNorm_grad';
import { gatherV2GradConfig } from './GatherV2_grad';
import { greaterGradConfig } from './Greater_grad';
import { greaterEqualGradConfig } from './GreaterEqual_grad';
import { lessGradConfig } from './Less_grad';
import { lessEqualGradConfig } from './LessEqual_grad';
import { logicalAndGradConfig } from './LogicalAnd_grad';
import { logicalNotGradConfig } from './LogicalNot_grad';
import { logicalOrGradConfig } from './LogicalOr_grad';
import { logicalXorGradConfig } from './LogicalXor_grad';
import { lrnGradConfig } from './LRN_grad';
import { maximumGradConfig } from './Maximum_grad';
import { maxPoolGradConfig, maxPoolGradGradConfig, maxPoolWithArgmaxGradConfig } from './MaxPool_grad';
import { minimumGradConfig } from './Minimum_grad';
import { mirrorPadGradConfig } from './MirrorPad_grad';
import { notEqualGradConfig } from './NotEqual_grad';
import { prodGradConfig } from './Prod_grad';
import {
  resizeBilinearGradConfig,
  resizeBilinearGradGradConfig,
  resizeNearestNeighborGradConfig,
  resizeNearestNeighborGradGradConfig,
} from './Resize_grad';
import { squaredDifferenceGradConfig } from './SquaredDifference_grad';
import { stridedSliceGradConfig } from './StridedSlice_grad';
import { tileGradConfig } from './Tile_grad';
import { unsortedSegmentSumGradConfig } from './UnsortedSegmentSum_grad';

/** Gradients this project adds or replaces; registered after tfjs's own, so they win. */
export const PROJECT_GRADIENTS: readonly tf.GradConfig[] = [
  // Zero gradients for piecewise-constant kernels, so double backprop passes their masks.
  greaterGradConfig,
  greaterEqualGradConfig,
  lessGradConfig,
  lessEqualGradConfig,
  equalGradConfig,
  notEqualGradConfig,
  logicalAndGradConfig,
  logicalOrGradConfig,
  logicalXorGradConfig,
  logicalNotGradConfig,
  // tfjs's versions do not sum over broadcast dimensions.
  maximumGradConfig,
  minimumGradConfig,
  squaredDifferenceGradConfig,
  batchMatMulGradConfig,
  fusedBatchNormGradConfig,
  // tfjs's are wrong at first order (see each file).
  avgPoolGradConfig,
  maxPoolGradConfig,
  resizeBilinearGradConfig,
  resizeNearestNeighborGradConfig,
  mirrorPadGradConfig,
  castGradConfig,
  // tfjs's throw: chained methods tfjs-core alone lacks, rank limits, int32 gradients.
  gatherV2GradConfig,
  unsortedSegmentSumGradConfig,
  prodGradConfig,
  tileGradConfig,
  // tfjs's calls a kernel that has no gradient, so its second order threw.
  lrnGradConfig,
  // Missing in tfjs.
  eluGradGradConfig,
  conv2DBackpropFilterGradConfig,
  stridedSliceGradConfig,
  depthToSpaceGradConfig,
  avgPoolGradGradConfig,
  maxPoolGradGradConfig,
  maxPoolWithArgmaxGradConfig,
  resizeBilinearGradGradConfig,
  resizeNearestNeighborGradGradConfig,
  depthwiseBackpropInputGradConfig,
  depthwiseBackpropFilterGradConfig,
];

for (const config of PROJECT_GRADIENTS) tf.registerGradient(config);
installTapeOrderFix();
