/**
 * The demo page (demo/index.html, served by `wgan-edge demo`): samples the shipped mnist model,
 * or one digit of mnist-conditional (the digit picker, in a worker of its own), and emoji by
 * category (models/emoji, in a third worker), fine-tunes mnist
 * on the user's own images in the runtime's Web Worker, and trains the toy
 * models of the family from scratch in a second one. The page holds no tfjs; what it does itself
 * is pixels: decoding the user's files, drawing grids and curves.
 */
import {
  archConfig,
  backgroundOf,
  backgroundsDisagree,
  createRuntime,
  invertImages,
  toImageArray,
  type FineTunePreview,
  type ImageArray,
  type LossName,
  type ModelSummary,
  type Runtime,
  type RuntimeBackendOptions,
  type SampleResult,
  type ToyName,
  type TrainRequest,
} from '../src/runtime/index';

/** Where the build puts the worker and the server the models, relative to this script. */
const WORKER_URL = new URL('../gan.worker.js', import.meta.url);
const MODEL_URL = new URL('../../models/mnist/', import.meta.url).href;
/** The class-conditional digits, which the digit picker draws from. */
const CONDITIONAL_URL = new URL('../../models/mnist-conditional/', import.meta.url).href;
/** The class-conditional emoji, which the emoji panel draws from. */
const EMOJI_URL = new URL('../../models/emoji/', import.meta.url).href;
/**
 * The emoji panel's truncation: by the model card's table, its labels read 70% right at 1.25
 * against 60% untruncated, for less variety (Frechet 2.25 times the floor against 1.48).
 */
const EMOJI_TRUNCATION = 1.25;
/** The fine-tuned model's name in IndexedDB. */
const KEPT_MODEL = 'wgan-edge-demo';
const GRID_COLUMNS = 8;
const GRID_SAMPLES = GRID_COLUMNS * GRID_COLUMNS;
/** The before and after grids: the samples the runtime's preview grids draw (4 x 4 of seed 0). */
const PREVIEW_SIDE = 4;
const PREVIEW_SEED = 0;
/** Photos are scaled down to this many pixels a side as the browser decodes them, before the area average. */
const MAX_DECODED_SIDE = 512;
/** The toy panel redraws its samples this often while it trains, from this many points. */
const TOY_REDRAW_MS = 500;
const TOY_SAMPLES = 1024;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const seedInput = $<HTMLInputElement>('seed');
const digitSelect = $<HTMLSelectElement>('digit');
const stepsInput = $<HTMLInputElement>('steps');
const filesInput = $<HTMLInputElement>('files');
const invertBox = $<HTMLInputElement>('invert');
const buttons = {
  draw: $<HTMLButtonElement>('draw'),
  walk: $<HTMLButtonElement>('walk'),
  train: $<HTMLButtonElement>('train'),
  stop: $<HTMLButtonElement>('stop'),
  keep: $<HTMLButtonElement>('keep'),
  kept: $<HTMLButtonElement>('kept'),
};

let runtime: Runtime;
let model: ModelSummary;
/** The user's images as read (before any inversion), and the last samples drawn. */
let yours: ImageArray | null = null;
/** The files `yours` was read from: what the worker decodes and tunes on. */
let yourFiles: File[] = [];
let lastSamples: SampleResult | null = null;
let stopRun: AbortController | null = null;

/** 'loading', 'ready' (idle), 'busy' (sampling, loading, saving), 'training' or 'error'. */
function setState(state: string, message = '', isError = false): void {
  document.body.dataset.state = state;
  const status = $('status');
  status.textContent = message;
  status.classList.toggle('error', isError);
  const idle = state === 'ready';
  for (const name of ['draw', 'walk', 'keep', 'kept'] as const) buttons[name].disabled = !idle;
  digitSelect.disabled = !idle;
  buttons.train.disabled = !idle || yours == null;
  // New images need the model's size, and must not change under a run.
  filesInput.disabled = invertBox.disabled = !idle;
  buttons.stop.disabled = state !== 'training';
}

/** Runs `work` while the buttons are off; a failure is shown and leaves the page usable. */
async function busy(message: string, work: () => Promise<string>): Promise<void> {
  setState('busy', message);
  try {
    setState('ready', await work());
  } catch (e) {
    setState('ready', (e as Error).message, true);
  }
}

/** Draws n samples ([n, h, w, 4] RGBA) into the digits' grid, GRID_COLUMNS to a row. */
function drawGrid(result: SampleResult): void {
  paintGrid($<HTMLCanvasElement>('grid'), result);
  lastSamples = result;
}

/** Paints n samples ([n, h, w, 4] RGBA) into `canvas`, GRID_COLUMNS to a row. */
function paintGrid(canvas: HTMLCanvasElement, result: SampleResult): void {
  if (result.format !== 'rgba') throw new Error(`expected rgba samples, got ${result.format}`);
  const [n, h, w] = result.shape;
  [canvas.width, canvas.height] = [GRID_COLUMNS * w, Math.ceil(n / GRID_COLUMNS) * h];
  const context = canvas.getContext('2d')!;
  for (let i = 0; i < n; i++) {
    const image = new ImageData(result.values.slice(i * h * w * 4, (i + 1) * h * w * 4), w, h);
    context.putImageData(image, (i % GRID_COLUMNS) * w, Math.floor(i / GRID_COLUMNS) * h);
  }
}

/** The digit picked (a label of mnist-conditional), or null for any (mnist, the model fine-tuned below). */
const pickedDigit = (): number | null => (digitSelect.value === '' ? null : Number(digitSelect.value));

/** The picker's runtime: a worker of its own holding mnist-conditional, started on first use. */
let conditionalRuntime: Promise<Runtime> | null = null;

/** Where a sampling request goes: the picker's runtime with the label, or the main one. */
async function sampler(): Promise<{ from: Runtime; label?: number; what: string }> {
  const label = pickedDigit();
  if (label == null) return { from: runtime, what: '' };
  // A worker that failed to start or load is asked for again on the next click.
  conditionalRuntime ??= (async () => {
    const conditional = await createRuntime({ worker: WORKER_URL, backend: backendAsked() });
    await conditional.load({ url: CONDITIONAL_URL });
    return conditional;
  })().catch((e) => {
    conditionalRuntime = null;
    throw e;
  });
  return { from: await conditionalRuntime, label, what: ` of the digit ${label} (mnist-conditional)` };
}

async function drawSamples(): Promise<string> {
  const seed = Number(seedInput.value);
  const { from, label, what } = await sampler();
  drawGrid(await from.sample({ n: GRID_SAMPLES, seed, format: 'rgba', label }));
  return `64 samples${what} of seed ${seed}.`;
}

async function walk(): Promise<string> {
  const from = Number(seedInput.value);
  const { from: source, label, what } = await sampler();
  drawGrid(await source.interpolate({ from, to: from + 1, steps: GRID_SAMPLES, format: 'rgba', label }));
  return `From seed ${from} to ${from + 1}${what} along a great circle (slerp), row by row.`;
}

/** The user's files at the model's size: decoded by the browser, area-averaged by the library. */
async function readImages(files: File[]): Promise<ImageArray> {
  const [size, , channels] = model.outputShape;
  const decoded = await Promise.all(
    files.map(async (file) => {
      const full = await createImageBitmap(file).catch(() => {
        throw new Error(`${file.name}: the browser cannot decode it as an image`);
      });
      const scale = Math.min(1, MAX_DECODED_SIDE / Math.max(full.width, full.height));
      const [width, height] = [
        Math.max(1, Math.round(full.width * scale)),
        Math.max(1, Math.round(full.height * scale)),
      ];
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext('2d')!;
      context.drawImage(full, 0, 0, width, height);
      full.close();
      const rgba = context.getImageData(0, 0, width, height).data;
      return { width, height, rgba: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.length) };
    }),
  );
  return toImageArray(decoded, size, channels as 1 | 3);
}

/** The images as the model will see them: inverted when the box says so (the worker decodes the files again, and inverts them too). */
const shownImages = (): ImageArray => (invertBox.checked ? invertImages(yours!) : yours!);

/** Shows the training images side by side, as the model will see them. */
function drawYours(): void {
  const { data, shape } = shownImages();
  const [n, h, w, c] = shape;
  const canvas = $<HTMLCanvasElement>('yours');
  [canvas.width, canvas.height] = [n * w, h];
  canvas.style.width = `${n * w * 3}px`;
  const rgba = new Uint8ClampedArray(h * n * w * 4);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < h * w; p++) {
      const [y, x] = [Math.floor(p / w), p % w];
      const from = (i * h * w + p) * c;
      rgba.set(
        c === 1 ? [data[from], data[from], data[from], 255] : [data[from], data[from + 1], data[from + 2], 255],
        (y * n * w + i * w + x) * 4,
      );
    }
  }
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, n * w, h), 0, 0);
}

async function chooseFiles(): Promise<string> {
  const files = [...(filesInput.files ?? [])];
  if (files.length === 0) return '';
  yours = await readImages(files);
  yourFiles = files;
  // The model's background, read from its last samples, decides the inversion (as train --init's check).
  const mismatch =
    lastSamples?.format === 'rgba'
      ? backgroundsDisagree(yours, { data: lastSamples.values, shape: lastSamples.shape })
      : null;
  invertBox.checked = mismatch != null;
  drawYours();
  const tone = (v: number) => (v < 0.5 ? 'dark' : 'light');
  return (
    `${count(files.length, 'image')} on a ${tone(backgroundOf(yours))} background` +
    (mismatch ? `, inverted to the model's ${tone(mismatch.model)} one.` : '.')
  );
}

/** Plots the Wasserstein estimate of each step so far on `canvas`. */
function drawCurve(canvas: HTMLCanvasElement, values: number[]): void {
  const context = canvas.getContext('2d')!;
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (values.length < 2) return;
  // reduce, not Math.min(...values): a long run's values would overflow the argument list.
  const [low, high] = values.reduce(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [Infinity, -Infinity]);
  const y = (v: number) => canvas.height - 8 - ((v - low) / (high - low || 1)) * (canvas.height - 16);
  context.beginPath();
  values.forEach((v, i) => context.lineTo((i / (values.length - 1)) * canvas.width, y(v)));
  context.strokeStyle = '#1a5fb4';
  context.stroke();
  context.fillStyle = '#444';
  context.fillText(`W ${values.at(-1)!.toFixed(3)}`, 6, 14);
}

/** A preview grid (RGBA, from the worker) on `canvas`, with its caption. */
function drawPreview(
  canvas: HTMLCanvasElement,
  caption: string,
  preview: Pick<FineTunePreview, 'rgba' | 'width' | 'height'>,
): void {
  [canvas.width, canvas.height] = [preview.width, preview.height];
  canvas.getContext('2d')!.putImageData(new ImageData(preview.rgba, preview.width, preview.height), 0, 0);
  $(`${canvas.id}-caption`).textContent = caption;
}

/** The loaded model's samples of the preview's latents, laid out as the worker lays out its preview grids (1 pixel apart). */
async function drawBefore(): Promise<void> {
  const result = await runtime.sample({ n: PREVIEW_SIDE * PREVIEW_SIDE, seed: PREVIEW_SEED, format: 'rgba' });
  if (result.format !== 'rgba') throw new Error(`expected rgba samples, got ${result.format}`);
  const [n, h, w] = result.shape;
  const [width, height] = [PREVIEW_SIDE * (w + 1) + 1, PREVIEW_SIDE * (h + 1) + 1];
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  for (let i = 0; i < n; i++) {
    const [x0, y0] = [1 + (i % PREVIEW_SIDE) * (w + 1), 1 + Math.floor(i / PREVIEW_SIDE) * (h + 1)];
    for (let y = 0; y < h; y++)
      rgba.set(result.values.subarray((i * h + y) * w * 4, (i * h + y + 1) * w * 4), ((y0 + y) * width + x0) * 4);
  }
  drawPreview($('before'), 'Before', { rgba, width, height });
}

/** Few-shot fine-tuning in the worker (runtime.fineTune): the chosen files, the model's default steps unless set. */
async function fineTune(): Promise<void> {
  const stepsText = stepsInput.value.trim();
  const steps = stepsText === '' ? undefined : Number(stepsText);
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1))
    return setState('ready', `Steps must be a whole number of at least 1, not '${stepsInput.value}'.`, true);
  const wasserstein: number[] = [];
  const redraw = oncePerFrame(() => drawCurve($('curve'), wasserstein));
  stopRun = new AbortController();
  setState('training', 'Choosing the parts of the model nearest your images…');
  try {
    await drawBefore();
    let first: number | null = null;
    const result = await runtime.fineTune({
      images: yourFiles,
      invert: invertBox.checked,
      steps,
      signal: stopRun.signal,
      onPreview: (p) => {
        first ??= p.step;
        drawPreview(
          $('after'),
          p.step === first ? 'The parts kept, before any step' : `After step ${p.step - first}`,
          p,
        );
      },
      onProgress: (m) => {
        wasserstein.push(m.wasserstein);
        $('status').textContent =
          `Step ${m.step - (first ?? 0)}: Wasserstein estimate ${m.wasserstein.toFixed(3)}, about ${Math.ceil(m.etaSeconds)} s left`;
        redraw();
      },
    });
    drawCurve($('curve'), wasserstein);
    model = result.model;
    digitSelect.value = '';
    await drawSamples();
    setState(
      'ready',
      `${result.stopped === 'aborted' ? 'Stopped' : 'Done'} at step ${result.step} (${count(result.stepsRun, 'step')} here). The grid shows the fine-tuned model.`,
    );
  } catch (e) {
    setState('ready', (e as Error).message, true);
  } finally {
    stopRun = null;
  }
}

/** '1 step', '2 steps'. */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** `draw`, at most once per frame however often it is asked for. */
function oncePerFrame(draw: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
}

/** The toy panel's runtime: a second worker, started on first use, so the digits model stays loaded in the first. */
let toyRuntime: Promise<Runtime> | null = null;

/** Shows the toy generator's samples: the runtime draws 2-D samples as a scatter plot PNG. */
async function drawToySamples(toy: Runtime): Promise<void> {
  const result = await toy.sample({ n: TOY_SAMPLES, seed: 0, format: 'png' });
  if (result.format !== 'png') throw new Error(`expected a png, got ${result.format}`);
  const image = $<HTMLImageElement>('toy-samples');
  URL.revokeObjectURL(image.src);
  image.src = URL.createObjectURL(new Blob([result.png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
}

async function trainToy(): Promise<void> {
  const toyButtons = { train: $<HTMLButtonElement>('toy-train'), stop: $<HTMLButtonElement>('toy-stop') };
  const setToyState = (state: 'training' | 'ready', message: string, isError = false) => {
    document.body.dataset.toy = state;
    [toyButtons.train.disabled, toyButtons.stop.disabled] = [state === 'training', state !== 'training'];
    const status = $('toy-status');
    status.textContent = message;
    status.classList.toggle('error', isError);
  };
  const steps = Number($<HTMLInputElement>('toy-steps').value);
  if (!Number.isInteger(steps) || steps < 1)
    return setToyState('ready', 'Steps must be a whole number of at least 1.', true);
  const [loss, data] = [
    $<HTMLSelectElement>('toy-loss').value as LossName,
    $<HTMLSelectElement>('toy-data').value as ToyName,
  ];
  const request: TrainRequest = { loss, arch: archConfig('mlp'), data: { toy: data }, seed: 1, steps };
  const stop = new AbortController();
  toyButtons.stop.onclick = () => stop.abort();
  const wasserstein: number[] = [];
  const redraw = oncePerFrame(() => drawCurve($('toy-curve'), wasserstein));
  setToyState('training', 'Starting the second worker…');
  let redrawing: Promise<void> | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    // A worker that failed to start is asked for again on the next click.
    toyRuntime ??= createRuntime({ worker: WORKER_URL, backend: backendAsked() }).catch((e) => {
      toyRuntime = null;
      throw e;
    });
    const toy = await toyRuntime;
    // The samples of the model as it trains, one request at a time.
    timer = setInterval(() => {
      redrawing ??= drawToySamples(toy)
        .catch(() => {})
        .finally(() => (redrawing = null));
    }, TOY_REDRAW_MS);
    const result = await toy.train(request, {
      signal: stop.signal,
      onProgress: (m) => {
        wasserstein.push(m.wasserstein);
        $('toy-status').textContent =
          `${loss} on ${data}, step ${m.step}: Wasserstein estimate ${m.wasserstein.toFixed(3)}`;
        redraw();
      },
    });
    clearInterval(timer);
    await redrawing;
    await drawToySamples(toy);
    drawCurve($('toy-curve'), wasserstein);
    setToyState(
      'ready',
      `${loss} on ${data}: ${result.stopped === 'aborted' ? 'stopped' : 'done'} at step ${result.step}.`,
    );
  } catch (e) {
    setToyState('ready', (e as Error).message, true);
  } finally {
    clearInterval(timer);
  }
}

/**
 * The emoji panel: models/emoji in a worker of its own, started once the digits are ready. Its
 * category picker lists the names the model gives its labels (load()'s labelNames).
 */
async function startEmoji(): Promise<void> {
  const categorySelect = $<HTMLSelectElement>('category');
  const drawButton = $<HTMLButtonElement>('emoji-draw');
  const setEmojiState = (state: 'loading' | 'ready' | 'busy' | 'error', message: string, isError = false) => {
    document.body.dataset.emoji = state;
    categorySelect.disabled = drawButton.disabled = state !== 'ready';
    const status = $('emoji-status');
    status.textContent = message;
    status.classList.toggle('error', isError);
  };
  setEmojiState('loading', 'Loading the emoji model in a worker of its own…');
  let emoji: Runtime;
  try {
    emoji = await createRuntime({ worker: WORKER_URL, backend: backendAsked() });
    const summary = await emoji.load({ url: EMOJI_URL });
    for (const [k, name] of (summary.labelNames ?? []).entries()) categorySelect.add(new Option(name, String(k)));
  } catch (e) {
    return setEmojiState('error', `The emoji model could not load: ${(e as Error).message}`, true);
  }
  const draw = async () => {
    setEmojiState('busy', 'Sampling…');
    try {
      const seed = Number($<HTMLInputElement>('emoji-seed').value);
      const picked = categorySelect.selectedOptions[0];
      const label = picked.value === '' ? undefined : Number(picked.value);
      paintGrid(
        $<HTMLCanvasElement>('emoji-grid'),
        await emoji.sample({ n: GRID_SAMPLES, seed, format: 'rgba', label, truncation: EMOJI_TRUNCATION }),
      );
      const what = label == null ? 'of any category' : `of ${picked.text}`;
      setEmojiState('ready', `64 emoji ${what} of seed ${seed}.`);
    } catch (e) {
      setEmojiState('ready', (e as Error).message, true);
    }
  };
  drawButton.onclick = () => void draw();
  categorySelect.onchange = () => void draw();
  await draw();
}

/** `wgan-edge demo --backend wasm` opens the page with ?backend=wasm. */
const backendAsked = () =>
  (new URLSearchParams(location.search).get('backend') ?? 'auto') as RuntimeBackendOptions['backend'];

async function start(): Promise<void> {
  runtime = await createRuntime({ worker: WORKER_URL, backend: backendAsked() });
  const info = await runtime.info();
  const passedOver = info.passedOver.map((p) => `${p.backend}: ${p.reason}`).join('; ');
  $('backend').textContent =
    `Backend: ${info.backend}, ${info.reason}${passedOver ? ` (passed over ${passedOver})` : ''}`;
  model = await runtime.load(
    { url: MODEL_URL },
    { onProgress: (p) => ($('status').textContent = `Loading mnist: ${Math.round((100 * p.loaded) / p.total)}%`) },
  );
  setState('ready', await drawSamples());
  await startEmoji();
}

buttons.draw.onclick = () => busy('Sampling…', drawSamples);
digitSelect.onchange = () => busy(pickedDigit() == null ? 'Sampling…' : 'Loading the conditional model…', drawSamples);
buttons.walk.onclick = () => busy('Sampling…', walk);
buttons.train.onclick = () => void fineTune();
buttons.stop.onclick = () => stopRun?.abort();
buttons.keep.onclick = () =>
  busy(
    'Saving…',
    async () => (
      await runtime.saveModel({ indexedDb: KEPT_MODEL }),
      'Kept in this browser (IndexedDB): "Load the kept model" brings it back after a reload.'
    ),
  );
buttons.kept.onclick = () =>
  busy('Loading…', async () => {
    model = await runtime.load({ indexedDb: KEPT_MODEL });
    digitSelect.value = '';
    return `The kept model. ${await drawSamples()}`;
  });
filesInput.onchange = () => busy('Reading your images…', chooseFiles);
invertBox.onchange = () => yours && drawYours();
$('toy-train').onclick = () => void trainToy();

start().catch((e) => setState('error', `The demo could not start: ${(e as Error).message}`, true));
