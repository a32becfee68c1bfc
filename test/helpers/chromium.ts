// The browser every browser test drives: the browser suite (vitest.config.ts) and the demo's test.
/** Debian's Chromium: no test tool may download its own browser here (see .ci/run). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for a headless Chromium on a closed network, as root in CI containers: without the
 * background-networking flags it floods the network with refused connections;
 * --disable-dev-shm-usage keeps it alive where /dev/shm is small; --enable-unsafe-webgpu
 * exposes the SwiftShader WebGPU adapter on a machine without a GPU.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--enable-unsafe-webgpu',
];
