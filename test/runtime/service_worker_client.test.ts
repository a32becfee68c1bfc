// connectServiceWorker's refusals that need no browser.
import { describe, expect, it } from 'vitest';
import { RuntimeError } from '../../src/runtime/errors';
import { connectServiceWorker } from '../../src/runtime/service_worker_client';

describe('connectServiceWorker', () => {
  it('refuses a replaced (redundant) worker at once, naming the one to use, instead of waiting for ever', async () => {
    let messages = 0;
    const replaced = { state: 'redundant', postMessage: () => messages++ } as unknown as ServiceWorker;
    const error = await connectServiceWorker(replaced).catch((e) => e);
    expect(error).toBeInstanceOf(RuntimeError);
    expect(error.code).toBe('worker-died');
    expect(error.message).toMatch(/replaced by a newer version.*registration\.active/);
    expect(messages).toBe(0);
  });
});
