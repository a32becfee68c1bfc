/** Where load() reads a model from (a ModelSource), and how the host names it in messages. */
import { loadModelFromCache } from '../io/storage_cache';
import { loadModelFromIndexedDb } from '../io/storage_indexeddb';
import { loadModelFromUrl, type UrlLoadOptions } from '../io/storage_url';
import type { ModelContents, ModelFiles, ModelSource } from './protocol';

/** Sources fetched over the network: read the generator alone to sample, the critic when needed. */
export function isFetched(source: ModelSource): source is { url: string } | ModelFiles {
  return 'url' in source || 'files' in source;
}

export function readModel(source: ModelSource, options: UrlLoadOptions): Promise<ModelContents> {
  if ('url' in source) return loadModelFromUrl(source.url, options);
  if ('files' in source) return loadModelFromUrl(source, options);
  if ('cache' in source) return loadModelFromCache(source.cache);
  if ('indexedDb' in source) return loadModelFromIndexedDb(source.indexedDb);
  return Promise.resolve(source);
}

export function describeSource(source: ModelSource): string {
  if ('url' in source) return source.url;
  if ('files' in source) return String(source.files?.['model.json']);
  if ('cache' in source) return `cache:${source.cache}`;
  if ('indexedDb' in source) return `indexedDb:${source.indexedDb}`;
  return 'load(model)';
}
