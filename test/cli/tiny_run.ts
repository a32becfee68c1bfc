// The CLI tests' smallest real training run: the toy set, 16 hidden units, batch 32, on cpu.
export const TINY = ['--data', '8gaussians', '--dim', '16', '--batch', '32', '--backend', 'cpu'];
