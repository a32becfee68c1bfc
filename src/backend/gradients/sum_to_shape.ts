import * as tf from '@tensorflow/tfjs-core';

/**
 * Sums a gradient computed at the broadcast output shape back down to an input's shape,
 * as tfjs's own Add/Mul gradients do (its Maximum, Minimum, SquaredDifference and
 * BatchMatMul gradients skip this and fail with a shape error under broadcasting).
 */
export function sumToShape(grad: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, grad.shape);
  const reduced = axes.length > 0 ? tf.sum(grad, axes) : grad;
  return tf.reshape(reduced, shape);
}
