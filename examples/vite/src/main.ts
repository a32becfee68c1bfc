// The web-app example: sample the shipped mnist generator in a Web Worker, then serve
// the same samples to an <img> through the runtime's service worker. No copy step, no wasmPaths:
// the bundler emits the worker, the .wasm files and the model because the package names them.
import mnist from 'wgan-edge/models/mnist';
import { createRuntime, type SampleResult } from 'wgan-edge/runtime';
import { registerServiceWorker } from 'wgan-edge/service-worker';

const status = document.getElementById('status')!;
// ?threads=2 asks for two WASM threads (the page must be cross-origin isolated).
const threads = Number(new URLSearchParams(location.search).get('threads')) || undefined;

async function main() {
  // The performance marks time the cold start's parts (npm run bench).
  const worker = new Worker(new URL('wgan-edge/worker', import.meta.url), { type: 'module' });
  const runtime = await createRuntime({ worker, threads });
  performance.mark('runtime started');
  await runtime.load(mnist);
  performance.mark('model loaded');
  const result = await runtime.sample({ n: 16, seed: 42, format: 'rgba' });
  drawGrid(result, document.querySelector('canvas')!);
  performance.mark('digits drawn');
  const info = await runtime.info();
  status.textContent = `${info.backend}: ${info.reason}`;

  const serviceWorker = await registerServiceWorker();
  await serviceWorker.runtime.load(mnist);
  const img = document.querySelector('img')!;
  img.src = serviceWorker.sampleUrl({ n: 16, seed: 42 });
  await img.decode();
  return { info, serviceWorkerInfo: await serviceWorker.runtime.info() };
}

/** Draws [n, height, width, 4] RGBA samples as a square grid. */
function drawGrid(result: SampleResult, canvas: HTMLCanvasElement) {
  if (result.format !== 'rgba') throw new Error(`expected rgba samples, got ${result.format}`);
  const [n, height, width] = result.shape;
  const columns = Math.ceil(Math.sqrt(n));
  canvas.width = columns * width;
  canvas.height = Math.ceil(n / columns) * height;
  const context = canvas.getContext('2d')!;
  const size = height * width * 4;
  for (let i = 0; i < n; i++) {
    const image = new ImageData(result.values.slice(i * size, (i + 1) * size), width, height);
    context.putImageData(image, (i % columns) * width, Math.floor(i / columns) * height);
  }
}

// What the example's test reads: the backends used, or the error.
main().then(
  (report) => Object.assign(document.body.dataset, { state: 'ready', report: JSON.stringify(report) }),
  (error) => {
    status.textContent = `${error.name}: ${error.message}`;
    document.body.dataset.state = 'error';
  },
);
