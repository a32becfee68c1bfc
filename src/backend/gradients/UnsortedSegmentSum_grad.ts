import * as tf from '@tensorflow/tfjs-core';

/**
 * As tfjs's (gather dy at each segment id, zero for negative ids), plus a zero gradient for
 * the ids: when they were computed from a differentiated input (maxPool's argmax), the tape
 * reaches them, and tfjs's version, which has none, throws.
 */
export const unsortedSegmentSumGradConfig: tf.GradConfig = {
  kernelName: tf.UnsortedSegmentSum,
  inputsToSave: ['segmentIds'],
  gradFunc: (dy, saved) => {
    const [segmentIds] = saved;
    return {
      x: () => {
        const gathered = tf.gather(dy as tf.Tensor, tf.maximum(segmentIds, tf.scalar(0, 'int32')));
        const kept = tf.reshape(tf.greaterEqual(segmentIds, 0), [
          ...segmentIds.shape,
          ...gathered.shape.slice(segmentIds.rank).map(() => 1),
        ]);
        return tf.where(tf.broadcastTo(kept, gathered.shape), gathered, tf.zerosLike(gathered));
      },
      segmentIds: () => tf.zeros(segmentIds.shape),
    };
  },
};
