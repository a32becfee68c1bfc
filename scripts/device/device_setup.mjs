/**
 * Gives Node the browser's WebGPU globals (navigator.gpu, GPUBufferUsage, ...) through Dawn,
 * the npm package 'webgpu', before tfjs-backend-webgpu loads and looks for them. Not a
 * dependency of wgan-edge: pack.sh packs the package and WEBGPU_NODE names where it lies.
 *   node --import ./scripts/device/device_setup.mjs dist/cli.cjs info --backend webgpu
 */
const { create, globals } = await import(process.env.WEBGPU_NODE ?? 'webgpu');
Object.assign(globalThis, globals);
const gpu = create([]);
// Node 21 and later have a navigator of their own; Node 20 has none.
if (globalThis.navigator) Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
else globalThis.navigator = { gpu };
