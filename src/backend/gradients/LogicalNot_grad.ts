import * as tf from '@tensorflow/tfjs-core';
import { zeroGradient } from './zero_gradient';

export const logicalNotGradConfig = zeroGradient(tf.LogicalNot, ['x']);
