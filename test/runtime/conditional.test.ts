// A conditional model in the runtime: the worker host's sample and interpolate with `label`,
// and the service worker's sample URL (&label=).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGenerator } from '../../src/models';
import { archConfig } from '../../src/models/config';
import { disposeParams } from '../../src/nn/params';
import { RuntimeHost } from '../../src/runtime/host';
import type { ModelContents } from '../../src/runtime/protocol';
import { parseSampleQuery } from '../../src/runtime/service_worker';
import { sampleGenerator, interpolateGenerator } from '../../src/sample/generate';
import { untrainedModel } from '../helpers/untrained_model';

const ARCH = archConfig('mlp', { hidden: 8, depth: 1, labels: 3 });

let host: RuntimeHost;
let model: ModelContents;
beforeAll(async () => {
  host = new RuntimeHost();
  await host.init({ backend: 'cpu' });
  model = await untrainedModel(ARCH, 6);
});

describe('a conditional model in the runtime', () => {
  it('samples and walks with a label as the library does, refuses a label out of range, and leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    await host.load(model);
    const library = createGenerator(ARCH, 6);
    for (const request of [
      { n: 4, seed: 2, label: 2 },
      { n: 4, seed: 2 },
    ]) {
      const worker = await host.sample(request);
      const direct = await sampleGenerator(library, request);
      expect(worker.format === 'float32' && Array.from(worker.values)).toEqual(Array.from(direct.values));
    }
    const walk = await host.interpolate({ from: 1, to: 5, steps: 3, label: 1 });
    const directWalk = await interpolateGenerator(library, { from: 1, to: 5, steps: 3, label: 1 });
    expect(walk.format === 'float32' && Array.from(walk.values)).toEqual(Array.from(directWalk.values));
    disposeParams(library.params);
    await expect(host.sample({ n: 1, seed: 0, label: 3 })).rejects.toThrow(
      "label must be an integer from 0 to 2 (the model's 3 classes), got 3",
    );
    host.unload();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("load's summary gives the model's label names; a list that misses a label is refused and the loaded model stays", async () => {
    const named = { ...model, provenance: { labelNames: ['cats', 'dogs', 'birds'] } };
    expect((await host.load(named)).labelNames).toEqual(['cats', 'dogs', 'birds']);
    expect((await host.load(model)).labelNames).toBeUndefined();
    const before = await host.sample({ n: 2, seed: 1, label: 0 });
    for (const labelNames of [['cats', 'dogs'], ['cats', '', 'birds'], 'cats,dogs,birds'])
      await expect(host.load({ ...model, provenance: { labelNames } })).rejects.toThrow(
        'provenance.labelNames must name each of the 3 labels with a non-empty string',
      );
    expect(await host.sample({ n: 2, seed: 1, label: 0 })).toEqual(before);
    host.unload();
  });

  it('an unconditional model refuses a label', async () => {
    await host.load(await untrainedModel(archConfig('mlp', { hidden: 8, depth: 1 }), 1));
    await expect(host.sample({ n: 1, seed: 0, label: 0 })).rejects.toThrow(
      'this model is unconditional, it takes no label',
    );
    await expect(host.interpolate({ from: 0, to: 1, steps: 2, label: 0 })).rejects.toThrow('unconditional');
    host.unload();
  });

  it("the sample URL's &label= reaches the request; a label that is not a number is refused", () => {
    expect(parseSampleQuery(new URLSearchParams('n=4&seed=7&label=3'))).toEqual({
      n: 4,
      seed: 7,
      truncation: undefined,
      label: 3,
    });
    expect(parseSampleQuery(new URLSearchParams('seed=7')).label).toBeUndefined();
    expect(() => parseSampleQuery(new URLSearchParams('label=seven'))).toThrow(
      "sample URL: 'label' must be a number, got 'seven'",
    );
  });
});
