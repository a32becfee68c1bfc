/**
 * wgan-edge/internals: the building blocks under the public API (src/index.ts), for tests,
 * benchmarks, scripts and whoever writes their own training loop. They may change with any
 * release. Importing it puts the gradient layer and the WASM kernels in force, as the main
 * entry does.
 *
 * @module wgan-edge/internals
 */
import './backend/gradients';
import './backend/kernels';

// Parameters
export { readParams, assignParams, checkArrays } from './nn/params';
export { checkWeights } from './io/codec';

// Losses
export { lossModule, criticTerms, generatorLoss } from './losses';
export { gradientPenalty } from './losses/penalty';
export { mixtureWeights, createMixtureCritic } from './losses/wgan_c';
export { criticStepsAt } from './losses/wgan';

// Fine-tuning's steps
export { chooseComponents, frozenCriticParams, type ComponentChoice } from './train/finetune';
export { prepareFineTune, fineTuneProvenance, type PreparedFineTune } from './io/finetune';
export { diffAugment, DIFF_AUGMENT_DEFAULT } from './train/diff_augment';

// Randomness and sampling's pieces
export { Rng } from './utils/rng';
export { latents } from './sample/latents';
export { renderSamples } from './sample/render';
export { toUint8 } from './sample/png';
