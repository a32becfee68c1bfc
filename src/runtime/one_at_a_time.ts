/**
 * A queue of async tasks: each starts when the one before it has settled, in the order they
 * came. The runtime holds one model, and a call that reads it must not see another call
 * replace it halfway.
 */
export type OneAtATime = <T>(task: () => Promise<T>) => Promise<T>;

export function oneAtATime(): OneAtATime {
  let last: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = last.then(task);
    last = run.catch(() => undefined);
    return run;
  };
}
