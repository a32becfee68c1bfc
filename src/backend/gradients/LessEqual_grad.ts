import * as tf from '@tensorflow/tfjs-core';
import { zeroGradient } from './zero_gradient';

export const lessEqualGradConfig = zeroGradient(tf.LessEqual, ['a', 'b']);
