/**
 * One Adam update of one parameter, as TensorFlow's AdamOptimizer does it:
 *   m' = beta1 m + (1 - beta1) g,  v' = beta2 v + (1 - beta2) g^2,
 *   p' = p - step m' / (sqrt(v') + epsilon),
 * where step is lr sqrt(1 - beta2^t) / (1 - beta1^t). A backend that registers a kernel under
 * ADAM_UPDATE runs it as one kernel call (WebGPU: 3 dispatches, not 12, and no scalar uploads,
 * on a backend whose step time is mostly dispatches); elsewhere it is composed from tfjs ops.
 */
import * as tf from '@tensorflow/tfjs-core';

export const ADAM_UPDATE = 'WganEdgeAdamUpdate';

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  /** This update's step size: lr sqrt(1 - beta2^t) / (1 - beta1^t). */
  step: number;
  epsilon: number;
}

/** [p', m', v'] from parameter p, its moments m and v, and its gradient g (all one shape). */
export function adamUpdate(
  p: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  g: tf.Tensor,
  attrs: AdamUpdateAttrs,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  if (tf.getKernel(ADAM_UPDATE, tf.getBackend()) != null) {
    return tf.engine().runKernel(ADAM_UPDATE, { p, m, v, g }, attrs as unknown as tf.NamedAttrMap) as unknown as [
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
    ];
  }
  const { beta1, beta2, step, epsilon } = attrs;
  return tf.tidy(() => {
    const m1 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
    const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
    const p1 = tf.sub(p, tf.mul(tf.div(m1, tf.add(tf.sqrt(v1), epsilon)), step));
    return [p1, m1, v1];
  });
}
