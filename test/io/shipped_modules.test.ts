// Each shipped model's module (models/<name>/index.js, `wgan-edge/models/<name>`) names exactly
// its folder's files, as URLs beside it: model.json and every shard its manifest lists. A model
// re-exported with other shards and a stale module would load in Node and fail in every app.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { shippedModelDir, shippedModelNames } from '../../src/node/shipped';

describe('shipped model modules', async () => {
  const names = await shippedModelNames();

  it('there is one per shipped model', () => {
    expect(names.length).toBeGreaterThanOrEqual(3);
  });

  it.each(names)('models/%s/index.js names model.json and its shards, beside it', async (name) => {
    const dir = await shippedModelDir(name);
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
      weightsManifest: { paths: string[] }[];
    };
    const module = (await import(pathToFileURL(join(dir, 'index.js')).href)) as {
      default: { files: Record<string, string> };
    };
    const files = module.default.files;
    expect(Object.keys(files).sort()).toEqual(
      ['model.json', ...manifest.weightsManifest.flatMap((g) => g.paths)].sort(),
    );
    for (const [file, url] of Object.entries(files)) {
      expect(fileURLToPath(url)).toBe(join(dir, file));
      expect(existsSync(fileURLToPath(url))).toBe(true);
    }
  });
});
