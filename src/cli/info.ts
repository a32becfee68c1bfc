import { initBackend, type BackendPreference } from '../backend/init';

/** `wgan-edge info`: what `auto` (or the chosen backend) picks here, and why. */
export async function info(backend: BackendPreference): Promise<void> {
  const report = await initBackend({ backend });
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}
