/**
 * tfjs-backend-webgpu with this project's kernels for it. Importing this module registers them.
 * Reached through ../webgpu.ts: statically in browsers and bundles, on demand in Node builds.
 */
// The backend's own kernels must be registered first: ours wrap or join them.
import '@tensorflow/tfjs-backend-webgpu';
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { adamUpdateWebgpuConfig } from './AdamUpdate_webgpu';
import { addNWebgpuConfig } from './AddN_webgpu';

// Replaces the built-in one, which it runs on chunks of inputs.
if (getKernel(addNWebgpuConfig.kernelName, 'webgpu') !== addNWebgpuConfig) {
  unregisterKernel(addNWebgpuConfig.kernelName, 'webgpu');
  registerKernel(addNWebgpuConfig);
}

// Ours only: the optimizer's update as one kernel (src/backend/adam_update.ts).
if (getKernel(adamUpdateWebgpuConfig.kernelName, 'webgpu') == null) registerKernel(adamUpdateWebgpuConfig);
