/** Strict flag parsing shared by the commands: unknown flags and bad values are usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BACKEND_PREFERENCES, type BackendOptions, type BackendPreference } from '../backend/init';
import { isTruncation, MIN_TRUNCATION } from '../sample/requests';
import { UsageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;
export type Args = Record<string, string | boolean | undefined>;

const COMMON: Options = {
  backend: { type: 'string', default: 'auto' },
  threads: { type: 'string' },
};
/** initBackend's cap on WASM threads (tfjs' pthread pool). */
const MAX_THREADS = 8;

/** A value that starts with a dash but is a number (-1, -.5, -2e3), not a flag. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

export function parse(argv: string[], options: Options): Args {
  const all = { ...COMMON, ...options };
  // parseArgs takes `--seed -1` for a flag missing its value ("argument is ambiguous"):
  // joined as `--seed=-1`, the value reaches the flag's own check, which names the rule.
  const joined = argv.flatMap((arg, i) => {
    const next = argv[i + 1];
    if (i > 0 && NEGATIVE_NUMBER.test(arg) && isStringFlag(argv[i - 1], all)) return [];
    return isStringFlag(arg, all) && next != null && NEGATIVE_NUMBER.test(next) ? [`${arg}=${next}`] : [arg];
  });
  const parsed = (() => {
    try {
      return parseArgs({ args: joined, options: all, strict: true, allowPositionals: false, tokens: true });
    } catch (e) {
      throw new UsageError((e as Error).message.split('\n')[0]);
    }
  })();
  // A flag given twice would silently take its last value.
  const seen = new Map<string, string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const shown = token.value == null ? token.rawName : `${token.rawName} ${token.value}`;
    const first = seen.get(token.name);
    if (first != null) throw new UsageError(`--${token.name} is given twice (${first}, then ${shown}); give it once.`);
    seen.set(token.name, shown);
  }
  return parsed.values as Args;
}

const isStringFlag = (arg: string, options: Options) =>
  arg.startsWith('--') && options[arg.slice(2)]?.type === 'string';

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
  if (!isTruncation(t))
    throw new UsageError(
      `--truncation must be a number of at least ${MIN_TRUNCATION} (got '${String(args.truncation)}').`,
    );
  return t;
}
