/** wgan-edge: the public API. Importing it puts the gradient layer in force. */
import './backend/gradients';
import './backend/kernels';

export { initBackend, BackendError, BACKEND_PREFERENCES } from './backend/init';
export type { BackendOptions, BackendReport, BackendName, BackendPreference, AdapterReport } from './backend/init';
