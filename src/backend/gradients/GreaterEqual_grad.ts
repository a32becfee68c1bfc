import * as tf from '@tensorflow/tfjs-core';
import { zeroGradient } from './zero_gradient';

export const greaterEqualGradConfig = zeroGradient(tf.GreaterEqual, ['a', 'b']);
