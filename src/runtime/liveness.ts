/**
 * Knowing when a worker is gone. A terminated, crashed or out-of-memory worker sends no
 * message and fires no event, so a call waiting on it would hang. Instead the worker holds a
 * Web Lock for its whole life; the browser releases a context's locks when the context ends,
 * so the page's request for the same lock is granted exactly when the worker is gone.
 */

/** navigator.locks where the scope has it (secure contexts: https and localhost). */
function locks(): LockManager | undefined {
  return (globalThis.navigator as Navigator | undefined)?.locks;
}

export function canWatchLiveness(): boolean {
  return locks() != null;
}

/** Worker side: takes the lock and keeps it until the worker ends. Resolves once it is held. */
export function holdLifeLock(name: string): Promise<void> {
  const manager = locks();
  if (manager == null) return Promise.resolve();
  return new Promise((held) => {
    void manager.request(name, () => {
      held();
      return new Promise<never>(() => {});
    });
  });
}

/**
 * Page side: calls `onGone` when the holder of `name` ends. Call only once the holder has the
 * lock (else it is granted at once). The returned function stops watching.
 */
export function watchLifeLock(name: string, onGone: () => void): () => void {
  const manager = locks();
  if (manager == null) return () => {};
  const stop = new AbortController();
  manager
    .request(name, { signal: stop.signal }, () => {
      if (!stop.signal.aborted) onGone();
    })
    .catch(() => {
      // Aborted by stop(): the runtime was disposed on purpose.
    });
  return () => stop.abort();
}
