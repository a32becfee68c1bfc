import { defineConfig } from 'vite';

// COOP/COEP make the page cross-origin isolated (WASM threads need SharedArrayBuffer);
// Service-Worker-Allowed lets the runtime's service worker, which the build puts under /assets/,
// serve the whole app. Send the same three headers from whatever serves dist/.
const headers = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Service-Worker-Allowed': '/',
};

export default defineConfig({ server: { headers }, preview: { headers } });
