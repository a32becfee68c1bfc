// webpack 5's defaults, in production: `new Worker(new URL(...))` and `new URL('./file',
// import.meta.url)` in wgan-edge make it emit the worker, the .wasm files and the model files.
// Serve this folder with COOP/COEP (WASM threads) and Service-Worker-Allowed: / (the service
// worker, emitted into dist/, serves the whole app).
export default {
  mode: 'production',
  entry: './src/main.js',
};
