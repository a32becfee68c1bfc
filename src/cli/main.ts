/** The `wgan-edge` command line: train, sample, eval, info. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import '../backend/gradients';
import '../backend/kernels';
import { BACKEND_PREFERENCES, type BackendPreference } from '../backend/init';
import { UsageError } from './errors';
import { info } from './info';

const USAGE = `Usage: wgan-edge <command> [options]

Commands:
  info     [--backend auto|webgpu|wasm|cpu]   the backends here and what auto picks
`;

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON: Options = {
  backend: { type: 'string', default: 'auto' },
  help: { type: 'boolean', short: 'h' },
};

/** Parses `argv` strictly: unknown flags and stray arguments are usage errors. */
export function parse(argv: string[], options: Options): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...options }, strict: true, allowPositionals: false }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
}

export function backendOption(value: unknown): BackendPreference {
  if (!BACKEND_PREFERENCES.includes(value as BackendPreference)) {
    throw new UsageError(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')} (got '${String(value)}').`);
  }
  return value as BackendPreference;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'info': {
      const args = parse(rest, {});
      return info(backendOption(args.backend));
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return;
    default:
      throw new UsageError(`unknown command '${command}'. Commands: info.`);
  }
}

main(process.argv.slice(2)).catch((e: Error) => {
  process.stderr.write(`wgan-edge: ${e.message}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
