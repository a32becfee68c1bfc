// `wgan-edge train` on a WebGPU device that is lost or reports an error (which
// src/backend/webgpu_device.ts turns into a loss): nothing from then on reaches the model folder.
// Node has no WebGPU here, so the watcher is replaced by one that says the device is lost.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import '../../src/index';
import { train } from '../../src/cli/train';
import { folderBytes } from '../helpers/folder_bytes';
import { TINY } from './tiny_run';

const device = vi.hoisted(() => ({ lost: null as string | null }));
vi.mock('../../src/backend/webgpu_device', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/backend/webgpu_device')>()),
  webGpuDeviceLost: () => (device.lost == null ? null : Promise.resolve(device.lost)),
}));

describe('wgan-edge train on a lost WebGPU device', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-lost-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fails naming the reason, and leaves the checkpoint it resumed from as it was', async () => {
    const out = join(dir, 'run');
    device.lost = null;
    await train([...TINY, '--steps', '4', '--out', out]);
    const before = await folderBytes(out);
    device.lost = 'destroyed after an error it reported: Buffer usages must not be 0.';
    await expect(train([...TINY, '--steps', '8', '--out', out, '--resume'])).rejects.toThrow(
      `the WebGPU device was lost (${device.lost}); ${out} keeps its last checkpoint: go on with --resume --backend wasm.`,
    );
    expect(await folderBytes(out)).toEqual(before);
  });

  it('a fresh run writes no model folder at all', async () => {
    const out = join(dir, 'fresh');
    device.lost = 'destroyed: Device was destroyed.';
    await expect(train([...TINY, '--steps', '4', '--out', out])).rejects.toThrow(
      /the WebGPU device was lost \(destroyed: Device was destroyed\.\)/,
    );
    await expect(readFile(join(out, 'model.json'))).rejects.toThrow(/ENOENT/);
  });
});
