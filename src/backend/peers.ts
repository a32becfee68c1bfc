/**
 * The tfjs peers in Node. The Node builds (dist/index.node.cjs, dist/cli.cjs) require
 * @tensorflow/* from the app's node_modules instead of bundling them, so that an app and
 * wgan-edge share one engine; the peers are optional in package.json (browser-only users take
 * the self-contained worker bundles), so a Node entry checks them first, before it requires
 * any (rollup.config.mjs calls ensureNodePeers from each entry's intro), and fails with one
 * message that says what to install instead of a MODULE_NOT_FOUND stack.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What Node needs: the engine and the two backends that run there. */
export const NODE_PEERS = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
] as const;
/** Needed only where a WebGPU API is present (browsers; Node with a binding such as Dawn's 'webgpu'). */
export const WEBGPU_PEER = '@tensorflow/tfjs-backend-webgpu';

export const MISSING_PEERS_CODE = 'WGAN_EDGE_MISSING_PEERS';

/** This package's peerDependencies, from the nearest package.json named wgan-edge above this file. */
function peerVersions(): Record<string, string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
        name?: string;
        peerDependencies?: Record<string, string>;
      };
      if (pkg.name === 'wgan-edge') return pkg.peerDependencies ?? {};
    } catch {
      // Not readable: look further up.
    }
  }
  return {};
}

/** `npm install` with each package at this package's peer version. */
export function installCommand(packages: readonly string[]): string {
  const versions = peerVersions();
  return `npm install ${packages.map((p) => (versions[p] != null ? `${p}@${versions[p]}` : p)).join(' ')}`;
}

/** The Node peers that cannot be resolved from `from` (a file or folder path; default: this module's). */
export function missingNodePeers(from: string = fileURLToPath(import.meta.url)): string[] {
  const require = createRequire(from);
  return NODE_PEERS.filter((peer) => {
    try {
      require.resolve(peer);
      return false;
    } catch {
      return true;
    }
  });
}

export function missingPeersMessage(missing: readonly string[]): string {
  const them = missing.length === 1 ? 'it' : 'them';
  return [
    `wgan-edge needs ${missing.join(', ')} in Node, and ${missing.length === 1 ? 'it is' : 'they are'} not installed. Install ${them} beside wgan-edge:`,
    `  ${installCommand(missing)}`,
    `In Node, wgan-edge runs on the tfjs installed beside it, one engine shared with your own code: ${NODE_PEERS.join(', ')}` +
      ` (${WEBGPU_PEER} only where a WebGPU API is present). The browser bundles (wgan-edge/worker, wgan-edge/sw) carry their own tfjs.`,
  ].join('\n');
}

/**
 * Run first by the Node entries, before they require tfjs. A missing peer: the library throws
 * one Error (code WGAN_EDGE_MISSING_PEERS) with the message; the CLI prints it and exits with 1.
 */
export function ensureNodePeers(entry: 'library' | 'cli'): void {
  const missing = missingNodePeers();
  if (missing.length === 0) return;
  const message = missingPeersMessage(missing);
  if (entry === 'cli') {
    process.stderr.write(`wgan-edge: ${message}\n`);
    process.exit(1);
  }
  throw Object.assign(new Error(message), { code: MISSING_PEERS_CODE });
}
