import * as tf from '@tensorflow/tfjs-core';
import { zeroGradient } from './zero_gradient';

export const equalGradConfig = zeroGradient(tf.Equal, ['a', 'b']);
