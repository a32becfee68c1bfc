/** Strict flag parsing shared by the commands: unknown flags and bad values are usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BACKEND_PREFERENCES, type BackendOptions, type BackendPreference } from '../backend/init';
import { UsageError } from './errors';
import { isTruncation, MIN_TRUNCATION } from '../sample/latent_paths';

type Options = NonNullable<ParseArgsConfig['options']>;
export type Args = Record<string, string | boolean | undefined>;

const COMMON: Options = {
  backend: { type: 'string', default: 'auto' },
  threads: { type: 'string' },
};
/** initBackend's cap on WASM threads (tfjs' pthread pool). */
const MAX_THREADS = 8;

export function parse(argv: string[], options: Options): Args {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...options }, strict: true, allowPositionals: false }).values as Args;
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
}

/** `--backend` and `--threads N` (WASM threads; default: cores / 2) as initBackend's options. */
export function backendOptions(args: Args): BackendOptions {
  const threads = intOption('threads', args.threads, 1, MAX_THREADS);
  return { backend: backendOption(args.backend), ...(threads != null && { threads }) };
}

function backendOption(value: unknown): BackendPreference {
  if (!BACKEND_PREFERENCES.includes(value as BackendPreference)) {
    throw new UsageError(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')} (got '${String(value)}').`);
  }
  return value as BackendPreference;
}

/** An integer flag in [min, max]; undefined when the flag is absent. */
export function intOption(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value == null) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(String(value)) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got '${String(value)}').`);
  }
  return n;
}

/** `--truncation T`: latent values beyond +-T are redrawn (sample, eval); undefined when absent. */
export function truncationOption(args: Args): number | undefined {
  if (args.truncation == null) return undefined;
  const t = Number(args.truncation);
  if (!isTruncation(t)) throw new UsageError(`--truncation must be a number of at least ${MIN_TRUNCATION} (got '${String(args.truncation)}').`);
  return t;
}
