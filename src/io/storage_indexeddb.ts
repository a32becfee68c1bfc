/**
 * Model folders in IndexedDB (pages, workers, service workers): one record per model holding
 * all its files, written in one transaction, so a save lands whole or not at all.
 */
import { ConfigError } from '../utils/errors';
import type { ModelContents } from './codec';
import type { WeightStorage } from './format';
import { ModelStorageError, decodeModelFiles, encodeModelFiles } from './storage_files';

export const DEFAULT_DATABASE_NAME = 'wgan-edge';
const STORE = 'models';
const DATABASE_VERSION = 1;

export interface IndexedDbOptions {
  databaseName?: string;
}

interface ModelRecord {
  /** File name -> bytes, as in a model folder. */
  files: Record<string, Uint8Array>;
  savedAt: string;
}

export async function saveModelToIndexedDb(
  name: string,
  model: ModelContents,
  storage: WeightStorage = 'float32',
  options: IndexedDbOptions = {},
): Promise<void> {
  checkName(name);
  const record: ModelRecord = { files: await encodeModelFiles(model, storage), savedAt: new Date().toISOString() };
  const db = await openDatabase(options);
  try {
    await run(db, 'readwrite', (store) => store.put(record, name));
  } catch (e) {
    throw new ModelStorageError(
      `IndexedDB '${databaseName(options)}': saving model '${name}' failed (${(e as Error).message}); the previous model is untouched.`,
      'write-failed',
      name,
    );
  } finally {
    db.close();
  }
}

/** Rejects with ModelStorageError 'not-found' when no model is saved under `name`. */
export async function loadModelFromIndexedDb(name: string, options: IndexedDbOptions = {}): Promise<ModelContents> {
  checkName(name);
  const db = await openDatabase(options);
  let record: ModelRecord | undefined;
  try {
    record = await run<ModelRecord | undefined>(db, 'readonly', (store) => store.get(name));
  } finally {
    db.close();
  }
  if (record == null)
    throw new ModelStorageError(`IndexedDB '${databaseName(options)}' holds no model '${name}'.`, 'not-found', name);
  const files = record.files;
  return decodeModelFiles(
    async (file) => (Object.hasOwn(files, file) ? files[file] : null),
    `indexeddb:${databaseName(options)}/${name}`,
  );
}

/** Removes the model; true when there was one. */
export async function deleteModelFromIndexedDb(name: string, options: IndexedDbOptions = {}): Promise<boolean> {
  checkName(name);
  const db = await openDatabase(options);
  try {
    const existing = await run(db, 'readonly', (store) => store.count(name));
    if (existing === 0) return false;
    await run(db, 'readwrite', (store) => store.delete(name));
    return true;
  } finally {
    db.close();
  }
}

function databaseName(options: IndexedDbOptions): string {
  return options.databaseName ?? DEFAULT_DATABASE_NAME;
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name === '')
    throw new ConfigError(`model name must be a non-empty string, got ${JSON.stringify(name)}`, 'bad-argument');
}

function openDatabase(options: IndexedDbOptions): Promise<IDBDatabase> {
  const name = databaseName(options);
  if (globalThis.indexedDB == null) {
    return Promise.reject(new ModelStorageError('IndexedDB is not available in this scope.', 'unavailable', name));
  }
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, DATABASE_VERSION);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () =>
      reject(
        new ModelStorageError(
          `IndexedDB '${name}' could not be opened (${request.error?.message}).`,
          'unavailable',
          name,
        ),
      );
    request.onblocked = () =>
      reject(
        new ModelStorageError(
          `IndexedDB '${name}' is blocked by another tab holding an older version open.`,
          'unavailable',
          name,
        ),
      );
  });
}

/** One request in its own transaction; resolves once the transaction has committed. */
function run<T>(
  db: IDBDatabase,
  mode: IDBTransactionMode,
  makeRequest: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = makeRequest(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error ?? request.error);
    transaction.onabort = () => reject(transaction.error ?? new Error('transaction aborted'));
  });
}
