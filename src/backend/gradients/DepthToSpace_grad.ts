import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs has no DepthToSpace gradient. DepthToSpace is a permutation:
 * out[b, h*s + i, w*s + j, c] = x[b, h, w, (i*s + j)*C + c] (NHWC), so its gradient is the
 * inverse permutation of dy (space-to-depth), built from reshape and transpose.
 */
export const depthToSpaceGradConfig: tf.GradConfig = {
  kernelName: tf.DepthToSpace,
  gradFunc: (dy, _saved, attrs) => {
    const { blockSize, dataFormat } = attrs as unknown as tf.DepthToSpaceAttrs;
    return { x: () => spaceToDepth(dy as tf.Tensor4D, blockSize, dataFormat) };
  },
};

function spaceToDepth(t: tf.Tensor4D, s: number, dataFormat: 'NHWC' | 'NCHW'): tf.Tensor {
  if (dataFormat === 'NCHW') {
    const [batch, channels, height, width] = t.shape;
    const blocks = tf.reshape(t, [batch, channels, height / s, s, width / s, s]);
    return tf.reshape(tf.transpose(blocks, [0, 3, 5, 1, 2, 4]), [batch, s * s * channels, height / s, width / s]);
  }
  const [batch, height, width, channels] = t.shape;
  const blocks = tf.reshape(t, [batch, height / s, s, width / s, s, channels]);
  return tf.reshape(tf.transpose(blocks, [0, 1, 3, 2, 4, 5]), [batch, height / s, width / s, s * s * channels]);
}
