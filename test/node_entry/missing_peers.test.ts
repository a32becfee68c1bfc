/**
 * The packed package (npm pack) installed in a fresh app, where npm leaves the optional tfjs
 * peers out: the CLI and the library fail with one message that names what is missing and
 * the npm install command, not a MODULE_NOT_FOUND stack; with the three Node peers there
 * (tfjs-core, tfjs-backend-cpu, tfjs-backend-wasm; no webgpu), the CLI samples a shipped model.
 * Needs the build (dist/) and npm's cache of the package's dependencies (npm ci filled it).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, node } from './helpers';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const PEERS = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'];
const VERSION = '4.22.0';

function npm(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(NPM, args, { cwd, timeout: 180_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`npm ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    );
  });
}

/** The peer, as the app would have it after npm install (a link to this repository's copy). */
async function addPeer(app: string, name: string): Promise<void> {
  await mkdir(join(app, 'node_modules/@tensorflow'), { recursive: true });
  await symlink(join(ROOT, 'node_modules', name), join(app, 'node_modules', name), 'dir');
}

describe('the packed package without its tfjs peers', () => {
  let dir: string;
  let app: string;
  const cli = (...args: string[]) => node([join(app, 'node_modules/.bin/wgan-edge'), ...args], { cwd: app });
  const sample = () => cli('sample', '--model', 'mnist', '--n', '4', '--out', 'x.png');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wgan-edge-peers-'));
    app = join(dir, 'app');
    await mkdir(app);
    const [packed] = JSON.parse(await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT)) as {
      filename: string;
    }[];
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    await npm(
      ['install', join(dir, packed.filename), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
      app,
    );
  }, 240_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('npm leaves the optional peers out', async () => {
    expect(existsSync(join(app, 'node_modules/wgan-edge/dist/cli.cjs'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/@tensorflow'))).toBe(false);
  });

  it('the CLI prints one message naming the three and the npm install command, and exits with 1', async () => {
    const r = await sample();
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^wgan-edge: wgan-edge needs @tensorflow\/tfjs-core, @tensorflow\/tfjs-backend-cpu, @tensorflow\/tfjs-backend-wasm in Node/,
    );
    expect(r.stderr).toContain(`\n  npm install ${PEERS.map((p) => `${p}@${VERSION}`).join(' ')}\n`);
    expect(r.stderr).toContain('@tensorflow/tfjs-backend-webgpu only where a WebGPU API is present');
    expect(r.stderr.match(/wgan-edge needs/g)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/MODULE_NOT_FOUND|Require stack|\n\s+at /);
    expect(existsSync(join(app, 'x.png'))).toBe(false);
  });

  it('the library throws one Error with the message (code WGAN_EDGE_MISSING_PEERS)', async () => {
    const r = await node(
      [
        '-e',
        "try { require('wgan-edge') } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }",
      ],
      { cwd: app },
    );
    expect(r.code).toBe(0);
    const thrown = JSON.parse(r.stdout) as { code: string; message: string };
    expect(thrown.code).toBe('WGAN_EDGE_MISSING_PEERS');
    expect(thrown.message).toContain(`npm install ${PEERS.map((p) => `${p}@${VERSION}`).join(' ')}`);
  });

  it('names only what is still missing; with the three Node peers (no webgpu) it samples', async () => {
    await addPeer(app, '@tensorflow/tfjs-core');
    await addPeer(app, '@tensorflow/tfjs-backend-cpu');
    const partial = await sample();
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(
      /^wgan-edge: wgan-edge needs @tensorflow\/tfjs-backend-wasm in Node, and it is not installed/,
    );
    expect(partial.stderr).toContain(`\n  npm install @tensorflow/tfjs-backend-wasm@${VERSION}\n`);

    await addPeer(app, '@tensorflow/tfjs-backend-wasm');
    expect(await readdir(join(app, 'node_modules/@tensorflow'))).not.toContain('tfjs-backend-webgpu');
    const r = await sample();
    expect(r.stderr).not.toMatch(/Error|already/);
    expect(r.code).toBe(0);
    const png = await readFile(join(app, 'x.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('where a WebGPU API is present but tfjs-backend-webgpu is not installed, auto passes WebGPU over and says why', async () => {
    // A stand-in for Dawn's navigator.gpu (scripts/device/device_setup.mjs), with no adapter.
    await writeFile(
      join(app, 'fake_gpu.mjs'),
      'const gpu = { requestAdapter: async () => null };\n' +
        "if (globalThis.navigator) Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });\n" +
        'else globalThis.navigator = { gpu };\n',
    );
    const r = await node(['--import', './fake_gpu.mjs', join(app, 'node_modules/.bin/wgan-edge'), 'info'], {
      cwd: app,
    });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { backend: string; passedOver: { backend: string; reason: string }[] };
    expect(report.backend).toBe('wasm');
    expect(report.passedOver).toEqual([
      {
        backend: 'webgpu',
        reason: `@tensorflow/tfjs-backend-webgpu is not installed (npm install @tensorflow/tfjs-backend-webgpu@${VERSION})`,
      },
    ]);
  });
});
