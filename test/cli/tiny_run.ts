// The CLI tests' smallest real training run: the toy set, 16 hidden units, batch 32, on cpu.
export const TINY = ['--data', '8gaussians', '--dim', '16', '--batch', '32', '--backend', 'cpu'];

/** TINY with some of its flags given other values (a flag may be given once). */
export function tiny(...flags: string[]): string[] {
  const replaced = new Set(flags.filter((f) => f.startsWith('--')));
  return [...TINY.flatMap((arg, i) => (replaced.has(arg) || replaced.has(TINY[i - 1]) ? [] : [arg])), ...flags];
}
