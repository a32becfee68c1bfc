/**
 * The runtime's service worker: serves sample PNGs at <scope>wgan-edge/sample. Ship it as one
 * static bundle (service workers may not use import()).
 */
import { serveRuntimeInServiceWorker } from '../src/runtime/service_worker';

serveRuntimeInServiceWorker();
