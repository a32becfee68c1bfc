/**
 * Kernels this project adds to tfjs backends. Importing this module registers them: the WASM
 * ones here, the WebGPU ones through ../webgpu (with tfjs-backend-webgpu: in browsers and
 * bundles now, in the Node builds once initBackend finds a WebGPU API).
 */
// The backends' own kernels must be registered first: ours are composed from them.
import '@tensorflow/tfjs-backend-wasm';
import '../webgpu';
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { batchMatMulWasmConfig } from './BatchMatMul_wasm';
import { castWasmConfig } from './Cast_wasm';
import { conv2DBackpropFilterWasmConfig } from './Conv2DBackpropFilter_wasm';
import { conv2DBackpropInputWasmConfig } from './Conv2DBackpropInput_wasm';
import {
  depthwiseBackpropFilterWasmConfig,
  depthwiseBackpropInputWasmConfig,
} from './DepthwiseConv2dNativeBackprop_wasm';
import { maxPoolGradWasmConfig } from './MaxPoolGrad_wasm';
import { maxPoolWithArgmaxWasmConfig } from './MaxPoolWithArgmax_wasm';
import { unsortedSegmentSumWasmConfig } from './UnsortedSegmentSum_wasm';

// Missing from tfjs-backend-wasm 4.22 (Conv2DBackpropFilter: tfjs issue 8474); a release that ships one keeps its own.
for (const config of [
  conv2DBackpropFilterWasmConfig,
  depthwiseBackpropInputWasmConfig,
  depthwiseBackpropFilterWasmConfig,
  unsortedSegmentSumWasmConfig,
]) {
  if (getKernel(config.kernelName, 'wasm') == null) registerKernel(config);
}

// Replaces the built-in one, which it keeps as its fallback.
if (getKernel(conv2DBackpropInputWasmConfig.kernelName, 'wasm') !== conv2DBackpropInputWasmConfig) {
  unregisterKernel(conv2DBackpropInputWasmConfig.kernelName, 'wasm');
  registerKernel(conv2DBackpropInputWasmConfig);
}

// Replace the built-in ones, which pick the wrong pixel in some windows (see the files).
for (const config of [maxPoolWithArgmaxWasmConfig, maxPoolGradWasmConfig]) {
  if (getKernel(config.kernelName, 'wasm') !== config) {
    unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
}

// Replaces the built-in one, which it keeps for every cast but float or int to bool.
if (getKernel(castWasmConfig.kernelName, 'wasm') !== castWasmConfig) {
  unregisterKernel(castWasmConfig.kernelName, 'wasm');
  registerKernel(castWasmConfig);
}

// Replaces the built-in one: transposed operands go through the fast untransposed path.
if (getKernel(batchMatMulWasmConfig.kernelName, 'wasm') !== batchMatMulWasmConfig) {
  unregisterKernel(batchMatMulWasmConfig.kernelName, 'wasm');
  registerKernel(batchMatMulWasmConfig);
}
