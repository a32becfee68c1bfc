// The file rules of src/io/node_files.ts and src/io/state_file.ts, each case on fixtures made
// here in a temp folder: the output rule (nothing the user made is replaced or deleted), the
// carry-over of a model folder's other files, recovery of a cut save, bounded reads (devices,
// FIFOs, sparse and oversized shards refused unread), the architecture checked against the
// weights before allocating, and the checkpoint's checksum.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index';
import { initBackend } from '../../src/backend/init';
import type { ModelContents } from '../../src/io/codec';
import { ModelFormatError } from '../../src/io/format';
import { archOf, generatorFromModel } from '../../src/io/networks';
import {
  loadModelDir,
  MODEL_FOLDER,
  OutputRefusedError,
  recoverDir,
  saveModelDir,
  writeDirAtomically,
} from '../../src/io/node_files';
import { loadStateDir, stateFiles } from '../../src/io/state_file';
import { encodeModelFiles } from '../../src/io/storage_files';
import { createCritic, createGenerator } from '../../src/models';
import { archConfig } from '../../src/models/config';
import { disposeParams, readParams } from '../../src/nn/params';
import { folderBytes } from '../helpers/folder_bytes';

let root: string;
let model: ModelContents;
let n = 0;
const fresh = () => join(root, `case${++n}`);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wgan-edge-files-'));
  await initBackend({ backend: 'cpu' });
  const arch = archConfig('mlp', { hidden: 8 });
  const [generator, critic] = [createGenerator(arch, 1), createCritic(arch, 2)];
  model = {
    architecture: { ...arch },
    latentDim: arch.latentDim,
    outputShape: arch.outputShape,
    outputRange: null,
    provenance: { steps: 1 },
    generator: await readParams(generator.params),
    critic: await readParams(critic.params),
  };
  disposeParams(generator.params);
  disposeParams(critic.params);
});
afterAll(() => rm(root, { recursive: true, force: true }));

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: Error) => e,
  );

describe('the output rule', () => {
  it("refuses a folder of the user's files, a file, a device, a FIFO, an empty path and a foreign model.json, changing nothing", async () => {
    const photos = fresh();
    await mkdir(photos);
    await writeFile(join(photos, 'cat.jpg'), 'meow');
    const note = join(root, 'note.txt');
    await writeFile(note, 'precious');
    const fifo = join(root, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const foreign = fresh();
    await mkdir(foreign);
    await writeFile(join(foreign, 'model.json'), '{"format": "keras"}');
    const before = await folderBytes(root);
    for (const [path, why] of [
      [photos, 'is a folder of other files (cat.jpg), with no model.json'],
      [join(photos, '.'), 'is a folder of other files (cat.jpg), with no model.json'],
      [note, 'is a file, not a folder'],
      ['/dev/null', 'is a device, not a folder'],
      [fifo, 'is a FIFO (named pipe), not a folder'],
      ['', 'is an empty path'],
      [foreign, 'holds a model.json that wgan-edge did not write (its format is "keras")'],
    ]) {
      const e = await refusal(saveModelDir(path, model));
      expect(e, path).toBeInstanceOf(OutputRefusedError);
      expect(e!.message).toBe(
        `${path}: ${why}. A model folder is written only where nothing is yet, into an empty folder, or over a folder wgan-edge wrote ` +
          '(its model.json says "format": "wgan-edge/model"); choose another path.',
      );
    }
    expect(await folderBytes(root)).toEqual(before);
    expect((await readdir(root)).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('writes into an empty folder, and replaces its own folder keeping the files the user added', async () => {
    const dir = fresh();
    await mkdir(dir);
    await saveModelDir(dir, model);
    await writeFile(join(dir, 'README.md'), 'my notes');
    await mkdir(join(dir, 'samples'));
    await writeFile(join(dir, 'samples', 'a.png'), 'png');
    const changed = { ...model, provenance: { steps: 2 } };
    await saveModelDir(dir, changed);
    expect((await loadModelDir(dir)).provenance).toEqual({ steps: 2 });
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('my notes');
    expect(await readFile(join(dir, 'samples', 'a.png'), 'utf8')).toBe('png');
    expect((await readdir(root)).filter((name) => name.startsWith(`.case${n}.`))).toEqual([]);
  });
});

describe('recovery of a cut save', () => {
  /** A run folder's files as train writes them: the model and a checkpoint. */
  const runFiles = async (steps: number) => ({
    ...(await encodeModelFiles({ ...model, provenance: { steps } })),
    ...(await stateFiles({ step: steps, values: Float32Array.of(steps, -steps) }, 'checkpoint')),
  });
  const verified = (copy: string) =>
    Promise.all([loadModelDir(copy), loadStateDir(join(copy, 'checkpoint'))]).then(
      () => true,
      () => false,
    );
  const stepOf = async (dir: string) => (await loadModelDir(dir)).provenance.steps;

  it('takes a complete new copy over the target, the target over old copies, and a complete old copy when nothing else is left', async () => {
    const dir = fresh();
    const name = `case${n}`;
    await writeDirAtomically(dir, await runFiles(1), MODEL_FOLDER);
    // Killed after the new copy was written, before the swap: the new copy (step 2) wins.
    await writeDirAtomically(join(root, 'spare'), await runFiles(2), MODEL_FOLDER);
    await rename(join(root, 'spare'), join(root, `.${name}.new-1700000000000-1`));
    expect(await recoverDir(dir, verified)).toMatch(
      new RegExp(`recovered .*${name} from .${name}.new-1700000000000-1, the newest complete copy`),
    );
    expect(await stepOf(dir)).toBe(2);
    // Killed between the two renames, with a damaged new copy: the old copy (step 2) comes back.
    await rename(dir, join(root, `.${name}.old-1700000000001-1`));
    await writeDirAtomically(join(root, 'spare'), await runFiles(3), MODEL_FOLDER);
    await writeFile(join(root, 'spare', 'checkpoint', 'state.bin'), new Uint8Array(8));
    await rename(join(root, 'spare'), join(root, `.${name}.new-1700000000001-1`));
    expect(await recoverDir(dir, verified)).toMatch(
      /from \.case\d+\.old-1700000000001-1, the newest complete copy and removed 1 incomplete or older copy/,
    );
    expect(await stepOf(dir)).toBe(2);
    expect((await readdir(root)).filter((f) => f.startsWith(`.${name}.`))).toEqual([]);
    expect(await recoverDir(dir, verified)).toBeNull();
  });

  it('a save removes the copies an earlier cut save of a dead process left, so recovery never prefers them', async () => {
    const dir = fresh();
    const name = `case${n}`;
    await writeDirAtomically(dir, await runFiles(1), MODEL_FOLDER);
    const deadPid = Number(
      spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout,
    );
    await writeDirAtomically(join(root, 'spare'), await runFiles(5), MODEL_FOLDER);
    await rename(join(root, 'spare'), join(root, `.${name}.new-1700000000000-${deadPid}`));
    await writeDirAtomically(dir, await runFiles(2), MODEL_FOLDER);
    expect(await recoverDir(dir, verified)).toBeNull();
    expect(await stepOf(dir)).toBe(2);
  });
});

describe('bounded reads', () => {
  it('refuses a shard linked to /dev/zero and a FIFO model.json at once, unread', async () => {
    const dir = fresh();
    await saveModelDir(dir, model);
    await rm(join(dir, 'generator.bin'));
    await symlink('/dev/zero', join(dir, 'generator.bin'));
    let started = performance.now();
    const zero = await refusal(loadModelDir(dir));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(zero).toBeInstanceOf(ModelFormatError);
    expect((zero as ModelFormatError).code).toBe('not-a-file');
    expect(zero!.message).toBe(`${join(dir, 'generator.bin')}: is a device, not a regular file; refused unread.`);

    await rm(join(dir, 'model.json'));
    execFileSync('mkfifo', [join(dir, 'model.json')]);
    started = performance.now();
    const fifo = await refusal(loadModelDir(dir));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(fifo!.message).toBe(
      `${join(dir, 'model.json')}: is a FIFO (named pipe), not a regular file; refused unread.`,
    );
  });

  it('calls a sparse 3 GB shard too large, not missing, before reading it; a byte too many is refused as well', async () => {
    const dir = fresh();
    await saveModelDir(dir, model);
    const shard = join(dir, 'critic.bin');
    const needed = (await readFile(shard)).length;
    await truncate(shard, 3 * 2 ** 30);
    const started = performance.now();
    const huge = await refusal(loadModelDir(dir));
    expect(performance.now() - started).toBeLessThan(1000);
    expect((huge as ModelFormatError).code).toBe('too-large');
    expect(huge!.message).toBe(
      `${shard}: is ${3 * 2 ** 30} bytes, more than ${needed} (what its manifest's weights need); refused unread.`,
    );
    await truncate(shard, needed + 1);
    expect((await refusal(loadModelDir(dir)))!.message).toContain(`is ${needed + 1} bytes, more than ${needed}`);
  });

  it('checks the weights against an architecture far wider than them before making any tensor', async () => {
    const dir = fresh();
    await saveModelDir(dir, { ...model, architecture: { ...model.architecture, hidden: 50_000_000 } });
    const wide = await loadModelDir(dir);
    const tensors = tf.memory().numTensors;
    const e = await refusal(Promise.resolve().then(() => generatorFromModel(wide, dir)));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e!.message).toBe(
      `${dir}: generator weight 'dense0/kernel' has shape [2,8], the architecture needs [2,50000000].`,
    );
    expect(() => archOf(wide, dir)).toThrow(ModelFormatError);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});

describe('checkpoint state', () => {
  it('round-trips, and a flipped byte in either file, a short state.bin or an unchecked layout is a corrupt checkpoint', async () => {
    const value = { step: 7, weights: Float32Array.of(1.5, -2, 3), nested: { more: Float32Array.of(4) } };
    const write = async () => {
      const dir = fresh();
      await mkdir(dir);
      for (const [name, bytes] of Object.entries(await stateFiles(value, '.'))) await writeFile(join(dir, name), bytes);
      return dir;
    };
    expect(await loadStateDir(await write())).toEqual(value);
    const damaged = async (damage: (dir: string) => Promise<void>) => {
      const dir = await write();
      await damage(dir);
      return (await refusal(loadStateDir(dir)))?.message;
    };
    const flip = (file: string, at: (bytes: Buffer) => number) => async (dir: string) => {
      const bytes = await readFile(join(dir, file));
      bytes[at(bytes)] ^= 1;
      await writeFile(join(dir, file), bytes);
    };
    expect(await damaged(flip('state.bin', () => 5))).toMatch(
      /: corrupt checkpoint: checksum mismatch \(sha256 [0-9a-f]{64}, state.json expects [0-9a-f]{64}\)/,
    );
    // "step":7 -> "step":6: still valid JSON, caught by the checksum alone.
    expect(await damaged(flip('state.json', (b) => b.indexOf('"step":7') + 7))).toMatch(
      /corrupt checkpoint: checksum mismatch/,
    );
    expect(await damaged((dir) => truncate(join(dir, 'state.bin'), 8))).toMatch(
      /corrupt checkpoint: state.bin is 8 bytes, state.json records 16/,
    );
    expect(await damaged((dir) => writeFile(join(dir, 'state.json'), '{"step":7}'))).toMatch(
      /state.json: corrupt checkpoint: not the layout wgan-edge writes/,
    );
    expect(await damaged((dir) => rm(join(dir, 'state.bin')))).toMatch(/corrupt checkpoint: state.bin is missing/);
  });
});
