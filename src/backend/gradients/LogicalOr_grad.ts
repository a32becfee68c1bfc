import * as tf from '@tensorflow/tfjs-core';
import { zeroGradient } from './zero_gradient';

export const logicalOrGradConfig = zeroGradient(tf.LogicalOr, ['a', 'b']);
