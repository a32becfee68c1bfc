/** The runtime's module Web Worker: serves the page's createRuntime calls through Comlink. */
import { exposeRuntime } from '../src/runtime/host';

exposeRuntime();
