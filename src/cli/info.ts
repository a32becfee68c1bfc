import { initBackend, type BackendOptions } from '../backend/init';

/** `wgan-edge info`: what `auto` (or the chosen backend) picks here, and why. */
export async function info(options: BackendOptions): Promise<void> {
  const report = await initBackend(options);
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}
