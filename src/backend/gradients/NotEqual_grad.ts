import * as tf from '@tensorflow/tfjs-core';
import { zeroGradient } from './zero_gradient';

export const notEqualGradConfig = zeroGradient(tf.NotEqual, ['a', 'b']);
