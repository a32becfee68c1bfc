/** An untrained generator as a model, for tests that sample, load or save one without training. */
import type { ModelContents } from '../../src/io/codec';
import { saveModelDir } from '../../src/io/node_files';
import { createGenerator } from '../../src/models';
import type { ArchConfig } from '../../src/models/config';
import { disposeParams, readParams } from '../../src/nn/params';

/** The generator of `arch`, initialised from `seed`, with no provenance and no critic. */
export async function untrainedModel(arch: ArchConfig, seed: number): Promise<ModelContents> {
  const generator = createGenerator(arch, seed);
  try {
    return {
      architecture: { ...arch },
      latentDim: arch.latentDim,
      outputShape: arch.outputShape,
      outputRange: arch.outputRange,
      provenance: {},
      generator: await readParams(generator.params),
    };
  } finally {
    disposeParams(generator.params);
  }
}

/** untrainedModel(arch, seed) written as a model folder at `folder`, which it returns. */
export async function saveUntrainedModel(folder: string, arch: ArchConfig, seed: number): Promise<string> {
  await saveModelDir(folder, await untrainedModel(arch, seed));
  return folder;
}
