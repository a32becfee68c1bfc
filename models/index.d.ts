/** A shipped model's module (`wgan-edge/models/<name>`): its files as URLs, for runtime.load(). */
import type { ModelFiles } from '../dist/types/src/io/storage_url';

declare const model: ModelFiles;
export default model;
