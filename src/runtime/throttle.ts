/**
 * Progress without flooding the page: at most one value per interval is sent; the newest
 * one held back is sent by flush() at the end, so the caller always sees the last step.
 */
export interface Throttled<T> {
  push(value: T): void;
  flush(): void;
}

export function throttle<T>(
  send: (value: T) => void,
  intervalMs: number,
  now: () => number = () => performance.now(),
): Throttled<T> {
  let lastSent = -Infinity;
  let held: { value: T } | null = null;
  return {
    push(value) {
      const t = now();
      if (t - lastSent >= intervalMs) {
        lastSent = t;
        held = null;
        send(value);
      } else {
        held = { value };
      }
    },
    flush() {
      if (held == null) return;
      const { value } = held;
      held = null;
      lastSent = now();
      send(value);
    },
  };
}
