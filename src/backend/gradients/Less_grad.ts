import * as tf from '@tensorflow/tfjs-core';
import { zeroGradient } from './zero_gradient';

export const lessGradConfig = zeroGradient(tf.Less, ['a', 'b']);
