/**
 * `wgan-edge eval`: a model's quality as JSON. 2-D models against their toy set (modes,
 * high-quality share, W1); MNIST, Fashion-MNIST and emoji models through the project's classifier for the set (confident share,
 * class shares, Frechet distance next to the real-vs-real baseline; for a conditional model,
 * the share of each label's samples the classifier puts in that class). Emoji models are
 * compared with Noto Emoji, their training artwork (there is no test split), by a classifier
 * trained on other artwork (Twemoji and Fluent Emoji), whose accuracy on Noto per category is reported beside
 * (realLabelAccuracy: the ceiling of labelAccuracy).
 */
import { initBackend } from '../backend/init';
import { TOY_NAMES, toyDataset, toyMixture, type MixtureName, type ToyName } from '../data/toy';
import { classifierFromContents } from '../io/classifier_file';
import { generatorFromModel } from '../io/networks';
import { loadModelDir } from '../io/node_files';
import {
  classAccuracy,
  generatorClassifierQuality,
  generatorLabelAccuracy,
  type Images,
} from '../metrics/classifier_quality';
import { generatorModeCoverage } from '../metrics/modes';
import { generatorW1 } from '../metrics/wasserstein';
import { disposeParams } from '../nn/params';
import { loadClassifierDir } from '../node/classifier_files';
import { loadEmoji } from '../node/emoji';
import { loadMnist, MNIST_COUNTS, MNIST_SETS, type MnistSet } from '../node/mnist';
import { backendOptions, intOption, parse, truncationOption } from './args';
import { UsageError } from './errors';
import { resolveModel, shippedFolder } from './model_path';
import { CountProgress } from './progress';

/** Samples for mode coverage or the classifier measures, and for the exact (assignment) W1 estimate. */
const DEFAULT_SAMPLES = 2048;
/** Emoji: two disjoint sets of n of the 1906 Noto images, so n is at most 953; 900 gives 100 a label. */
const DEFAULT_EMOJI_SAMPLES = 900;
const IMAGE_SETS: readonly string[] = [...MNIST_SETS, 'emoji'];
const EVAL_DATA: readonly string[] = [...TOY_NAMES, ...IMAGE_SETS];
const W1_SAMPLES = 512;

export async function evaluate(argv: string[]): Promise<void> {
  const args = parse(argv, {
    model: { type: 'string' },
    data: { type: 'string' },
    n: { type: 'string' },
    seed: { type: 'string', default: '1' },
    truncation: { type: 'string' },
  });
  if (args.model == null) throw new UsageError('eval needs --model DIR.');
  const data = String(args.data);
  if (!EVAL_DATA.includes(data)) throw new UsageError(`eval needs --data ${EVAL_DATA.join('|')} (got '${data}').`);
  const isImages = IMAGE_SETS.includes(data);
  const isEmoji = data === 'emoji';
  const n = intOption('n', args.n, 16, 1e6) ?? (isEmoji ? DEFAULT_EMOJI_SAMPLES : DEFAULT_SAMPLES);
  // The real images: MNIST's test split, or the emoji set (loaded only after the flags are checked).
  const emoji = isEmoji
    ? await loadEmoji().catch((e: Error) => {
        throw new UsageError(`--data emoji: ${e.message}`);
      })
    : null;
  const realCount = emoji?.images.shape[0] ?? MNIST_COUNTS.test;
  const realHalf = Math.floor(realCount / 2);
  if (isImages && n > realHalf) {
    throw new UsageError(
      `--n ${n}: the ${data} measures compare with two disjoint sets of --n real ${isEmoji ? 'emoji' : 'test images'} (of ${realCount}), so --n is at most ${realHalf}.`,
    );
  }
  const seed = intOption('seed', args.seed, 0, 2 ** 32 - 1)!;
  const truncation = truncationOption(args);
  const dir = await resolveModel(String(args.model));
  const model = await loadModelDir(dir);
  if (truncation !== undefined && !isImages)
    throw new UsageError(`--truncation applies to the image sets (${IMAGE_SETS.join(', ')}), not --data ${data}.`);
  const wanted = isEmoji ? '32,32,3' : isImages ? '28,28,1' : '2';
  if (model.outputShape.join() !== wanted)
    throw new UsageError(`${dir} makes [${model.outputShape}] samples; --data ${data} needs [${wanted}].`);
  const report = await initBackend(backendOptions(args));
  const generator = generatorFromModel(model, dir);
  try {
    const result: Record<string, unknown> = {
      model: dir,
      data,
      backend: report.backend,
      samples: n,
      ...(truncation !== undefined && { truncation }),
    };
    if (isImages) {
      const classifierDir = await shippedFolder(`classifiers/${data}`);
      const classifier = classifierFromContents(await loadClassifierDir(classifierDir), classifierDir);
      try {
        const real: Images = emoji?.images ?? (await loadMnist('test', { set: data as MnistSet }));
        Object.assign(result, await generatorClassifierQuality(generator, classifier, real, n, seed, truncation));
        const classes = generator.config.labels;
        if (classes != null) {
          // As many samples again, split evenly over the labels: each drawn with its label.
          const labelAccuracy = await generatorLabelAccuracy(
            generator,
            classifier,
            Math.ceil(n / classes),
            seed,
            truncation,
          );
          Object.assign(result, {
            labelAccuracy,
            labelAccuracyMean: labelAccuracy.reduce((a, b) => a + b, 0) / classes,
            labelSamples: Math.ceil(n / classes),
          });
        }
        if (emoji != null) {
          // The classifier on every real emoji, per category: what labelAccuracy can reach at best.
          const realLabelAccuracy = await classAccuracy(classifier, emoji.images, emoji.labels, 'the Noto emoji');
          Object.assign(result, {
            realLabelAccuracy,
            realLabelAccuracyMean: realLabelAccuracy.reduce((a, b) => a + b, 0) / realLabelAccuracy.length,
          });
        }
      } finally {
        disposeParams(classifier);
      }
      process.stdout.write(JSON.stringify(result) + '\n');
      return;
    }
    const name = data as ToyName;
    if (name !== 'swissroll') {
      const mixture = toyMixture(name as MixtureName);
      const progress = new CountProgress(n, 'samples');
      const coverage = await generatorModeCoverage(generator, mixture, n, seed, generator.params, (done) =>
        progress.report(done),
      );
      Object.assign(result, {
        modes: coverage.modesCovered,
        modeCount: mixture.centres.length,
        highQualityShare: coverage.highQualityShare,
      });
    }
    result.w1 = await generatorW1(generator, toyDataset(name), W1_SAMPLES, seed);
    result.w1Samples = W1_SAMPLES;
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    disposeParams(generator.params);
  }
}
