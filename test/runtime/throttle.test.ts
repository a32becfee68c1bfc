import { describe, expect, it } from 'vitest';
import { throttle } from '../../src/runtime/throttle';

describe('throttle', () => {
  it('sends at most one value per interval and the newest held-back one on flush', () => {
    let clock = 0;
    const sent: number[] = [];
    const progress = throttle<number>(
      (v) => sent.push(v),
      100,
      () => clock,
    );
    for (let step = 1; step <= 10; step++) {
      progress.push(step);
      clock += 30;
    }
    // Pushed at t = 0, 30, ..., 270: sent at 0, 120 (step 5), 240 (step 9).
    expect(sent).toEqual([1, 5, 9]);
    progress.flush();
    expect(sent).toEqual([1, 5, 9, 10]);
    progress.flush();
    expect(sent).toEqual([1, 5, 9, 10]);
  });

  it('flush after a value that was sent at once sends nothing more', () => {
    const sent: string[] = [];
    const progress = throttle<string>(
      (v) => sent.push(v),
      100,
      () => 0,
    );
    progress.push('only');
    progress.flush();
    expect(sent).toEqual(['only']);
  });
});
