/**
 * The gradient layer: every tfjs gradient, plus the fixes this project needs for correct
 * first- and second-order gradients on every backend. Importing this module puts it in force.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { installTapeOrderFix } from '../tape_order';

installTapeOrderFix();
