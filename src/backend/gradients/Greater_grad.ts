import * as tf from '@tensorflow/tfjs-core';
import { zeroGradient } from './zero_gradient';

export const greaterGradConfig = zeroGradient(tf.Greater, ['a', 'b']);
