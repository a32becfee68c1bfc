/**
 * A lost WebGPU device (driver reset, GPU unplugged or reclaimed, device.destroy()) takes every
 * tensor on it along. tfjs-backend-webgpu does not watch for it: its reads just start failing.
 * These helpers let the runtime notice and move on to another backend (see RuntimeHost).
 */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Resolves with why the active webgpu backend's device was lost; null when webgpu is not the
 * active backend. An error the device reports and nobody captures counts as a loss: tfjs
 * captures none, so one means a tfjs kernel failed on this device (an invalid pipeline, say)
 * and what it computed is garbage. The device is destroyed then, so that nothing more is
 * computed on it and the runtime leaves it as it leaves a lost one.
 */
export function webGpuDeviceLost(): Promise<string> | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const { device } = tf.backend() as WebGPUBackend;
  let reported: string | null = null;
  device.addEventListener('uncapturederror', (event) => {
    reported ??= (event as GPUUncapturedErrorEvent).error.message;
    device.destroy();
  });
  return device.lost.then((info) =>
    reported != null
      ? `destroyed after an error it reported: ${reported}`
      : `${info.reason ?? 'unknown'}: ${info.message || 'no message'}`,
  );
}

/**
 * Forgets the webgpu backend instance whose device was lost; call it once another backend is
 * active. Left registered, tfjs would hand that dead instance to any later setBackend('webgpu');
 * its factory is registered again, so a later initBackend asks for a new device.
 */
export function forgetWebGpuBackend(): void {
  const entry = tf.engine().registryFactory['webgpu'];
  if (entry == null) return;
  try {
    // Disposes the backend's buffers: on a lost device they are gone already, which is not an error.
    tf.removeBackend('webgpu');
  } finally {
    tf.registerBackend('webgpu', entry.factory, entry.priority);
  }
}
