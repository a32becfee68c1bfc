import * as tf from '@tensorflow/tfjs-core';
import { zeroGradient } from './zero_gradient';

export const logicalXorGradConfig = zeroGradient(tf.LogicalXor, ['a', 'b']);
