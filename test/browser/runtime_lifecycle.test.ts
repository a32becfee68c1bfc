// A worker that dies or a runtime that is disposed rejects every pending call.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/init';
import type { ModelContents } from '../../src/io/codec';
import { archConfig } from '../../src/models/config';
import { createRuntime } from '../../src/runtime/client';
import { RuntimeError } from '../../src/runtime/errors';
import { untrainedModel } from './toy_models';
import { startWorker } from './worker_url';

/** The authors' MNIST generator: sampling a batch on the cpu backend takes seconds. */
const SLOW_ARCH = archConfig('dcgan28');
const SLOW_BATCH = 256;
/** Long enough for the worker to be inside the sample call. */
const MID_CALL_MS = 300;

let slowModel: ModelContents;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  slowModel = await untrainedModel(SLOW_ARCH, 3);
});

async function busyRuntime(worker: Worker) {
  const runtime = await createRuntime({ worker, backend: 'cpu' });
  await runtime.load(structuredClone(slowModel));
  const pending = [runtime.sample({ n: SLOW_BATCH, seed: 1 }), runtime.info()].map((p) => p.catch((e: unknown) => e));
  await new Promise((resolve) => setTimeout(resolve, MID_CALL_MS));
  return { runtime, pending };
}

describe('runtime lifecycle', () => {
  it('worker terminated mid-call: every pending call rejects with worker-died, later calls too', async () => {
    const worker = startWorker();
    const { runtime, pending } = await busyRuntime(worker);
    worker.terminate();
    for (const err of await Promise.all(pending)) {
      expect(err).toBeInstanceOf(RuntimeError);
      expect((err as RuntimeError).code).toBe('worker-died');
    }
    await expect(runtime.info()).rejects.toMatchObject({ code: 'worker-died' });
    runtime.dispose();
  });

  it('a worker that ends on its own (self.close) mid-call: the call rejects with worker-died instead of hanging', async () => {
    const worker = new Worker(new URL('./fixtures/self_closing.worker.ts', import.meta.url), { type: 'module' });
    const runtime = await createRuntime({ worker, backend: 'cpu' });
    const err = await runtime.info().catch((e) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err.code).toBe('worker-died');
    runtime.dispose();
  });

  it('dispose mid-call: pending and later calls reject with disposed', async () => {
    const { runtime, pending } = await busyRuntime(startWorker());
    runtime.dispose();
    for (const err of await Promise.all(pending)) expect((err as RuntimeError).code).toBe('disposed');
    await expect(runtime.sample({ n: 1, seed: 1 })).rejects.toMatchObject({ code: 'disposed' });
  });
});
