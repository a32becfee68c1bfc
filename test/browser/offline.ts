/** Runs a browser test's steps with the network off. */
import { commands } from 'vitest/browser';

/**
 * Runs `body` with every request failing as offline (setNetworkOff in vitest.config.ts), and
 * turns the network back on whatever happens.
 */
export async function offline<T>(body: () => Promise<T>): Promise<T> {
  await commands.setNetworkOff(true);
  try {
    return await body();
  } finally {
    await commands.setNetworkOff(false);
  }
}
