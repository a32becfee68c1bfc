// A file of its own: the WASM backend starts once per process.
import workerThreads from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/index';

describe('WASM threads in Node, when the threaded build cannot start', () => {
  it('falls back to the single-threaded build and says why', async () => {
    const { Worker } = workerThreads;
    // emscripten takes the Worker class from worker_threads when its threaded build starts.
    (workerThreads as { Worker: unknown }).Worker = class {
      constructor() {
        throw new Error('no worker threads here (test)');
      }
    };
    try {
      const report = await initBackend({ backend: 'wasm', threads: 2 });
      expect(report.backend).toBe('wasm');
      expect(report.threads).toBe(1);
      expect(report.reason).toMatch(
        /1 thread; 2 threads were asked for, but the threaded build did not start \(.*no worker threads here \(test\)/,
      );
      expect(report.reason).not.toContain('\n');
    } finally {
      (workerThreads as { Worker: unknown }).Worker = Worker;
    }
    const y = tf.matMul(tf.ones([4, 4]), tf.ones([4, 4]));
    expect(Array.from(await y.data())).toEqual(new Array(16).fill(4));
  });
});
