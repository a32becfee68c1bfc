import * as tf from '@tensorflow/tfjs-core';

/**
 * The gradient of a kernel whose output is piecewise constant in its inputs (a comparison,
 * a logical op): zero almost everywhere. Registering it lets double backprop pass through
 * masks such as LeakyRelu's `x > 0`. Always float32: the engine rejects other gradient
 * dtypes, and the inputs may be bool or int.
 */
export function zeroGradient(kernelName: string, inputNames: readonly string[]): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: [...inputNames],
    gradFunc: (_dy, saved) => Object.fromEntries(inputNames.map((name, i) => [name, () => tf.zeros(saved[i].shape)])),
  };
}
