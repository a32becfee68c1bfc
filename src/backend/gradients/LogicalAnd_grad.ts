import * as tf from '@tensorflow/tfjs-core';
import { zeroGradient } from './zero_gradient';

export const logicalAndGradConfig = zeroGradient(tf.LogicalAnd, ['a', 'b']);
