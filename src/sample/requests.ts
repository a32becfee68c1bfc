/**
 * The checks of a sampling or interpolation request, shared by the library (generate.ts) and
 * the worker runtime (runtime/host.ts): both refuse the same requests, with the same
 * ConfigError codes and words. The runtime adds its per-call cap (`maxSamples`) and names the
 * call (`what`). A label is checked against the model it is for (checkLabel in generate.ts).
 */
import { ConfigError } from '../utils/errors';
import type { InterpolationPath } from './latent_paths';
import { SAMPLE_FORMATS, type SampleFormat } from './render';

export interface RequestLimits {
  /** The most samples (or interpolation steps) one call may ask for; default: no cap. */
  maxSamples?: number;
  /** The call's name, put before each message ('sample', 'interpolate'). */
  what?: string;
}

interface SampleFields<F extends SampleFormat> {
  n: number;
  seed: number;
  truncation?: number;
  format?: F;
}

interface InterpolateFields<F extends SampleFormat> {
  from: number;
  to: number;
  steps: number;
  path?: InterpolationPath;
  truncation?: number;
  format?: F;
}

const TWO_POW_32 = 4294967296;
export function checkSeed(seed: number, what: string): void {
  if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_POW_32) {
    throw new ConfigError(`${what} must be an integer in [0, 2^32), got ${seed}`, 'bad-seed');
  }
}

/**
 * The smallest truncation: a value falls inside +-0.01 once in ~125 draws (more below, without
 * bound), and a sample URL must not keep its worker busy for minutes.
 */
export const MIN_TRUNCATION = 0.01;

/** The one test of a truncation bound, for the library, the runtime and the CLI. */
export function isTruncation(value: number): boolean {
  return Number.isFinite(value) && value >= MIN_TRUNCATION;
}

const prefixOf = (what: string | undefined) => (what == null ? '' : `${what}: `);

/** A sample request's fields; returns its format ('float32' when absent). */
export function checkSampleRequest<F extends SampleFormat>(request: SampleFields<F>, limits: RequestLimits = {}): F {
  checkObject(request, limits.what);
  checkCount(request.n, limits);
  checkSeed(request.seed, `${prefixOf(limits.what)}seed`);
  checkTruncation(request.truncation, limits.what);
  return checkFormat(request.format, limits.what);
}

/** An interpolation request's fields; returns its format and path (defaults 'float32', 'slerp'). */
export function checkInterpolateRequest<F extends SampleFormat>(
  request: InterpolateFields<F>,
  limits: RequestLimits = {},
): { format: F; path: InterpolationPath } {
  checkObject(request, limits.what);
  const prefix = prefixOf(limits.what);
  checkSeed(request.from, `${prefix}from`);
  checkSeed(request.to, `${prefix}to`);
  const path = checkPath(request.path, limits.what);
  checkSteps(request.steps, limits);
  checkTruncation(request.truncation, limits.what);
  return { format: checkFormat(request.format, limits.what), path };
}

/** The number of samples: an integer >= 1, at most `maxSamples`. */
export function checkCount(n: number, { maxSamples, what }: RequestLimits = {}): void {
  if (!Number.isInteger(n) || n < 1 || (maxSamples != null && n > maxSamples)) {
    const range = maxSamples == null ? '>= 1' : `in [1, ${maxSamples}]`;
    throw new ConfigError(`${prefixOf(what)}n must be an integer ${range}, got ${n}`, 'bad-n');
  }
}

/** Interpolation steps: an integer >= 2 (both ends are included), at most `maxSamples`. */
export function checkSteps(steps: number, { maxSamples, what }: RequestLimits = {}): void {
  if (!Number.isInteger(steps) || steps < 2 || (maxSamples != null && steps > maxSamples)) {
    const range = maxSamples == null ? '>= 2' : `in [2, ${maxSamples}]`;
    throw new ConfigError(
      `${prefixOf(what)}steps must be an integer ${range} (both ends are included), got ${steps}`,
      'bad-steps',
    );
  }
}

export function checkPath(path: InterpolationPath | undefined, what?: string): InterpolationPath {
  const p = path ?? 'slerp';
  if (p !== 'slerp' && p !== 'lerp')
    throw new ConfigError(`${prefixOf(what)}path must be 'slerp' or 'lerp', got ${JSON.stringify(path)}`, 'bad-path');
  return p;
}

export function checkFormat<F extends SampleFormat>(format: F | undefined, what?: string): F {
  const f = (format ?? 'float32') as F;
  if (!SAMPLE_FORMATS.includes(f))
    throw new ConfigError(
      `${prefixOf(what)}format must be one of ${SAMPLE_FORMATS.join(', ')}, got ${JSON.stringify(format)}`,
      'bad-format',
    );
  return f;
}

/** A truncation, when given: a number of at least MIN_TRUNCATION. */
export function checkTruncation(truncation: number | undefined, what?: string): void {
  if (truncation !== undefined && !isTruncation(truncation)) {
    throw new ConfigError(
      `${prefixOf(what)}truncation must be a number of at least ${MIN_TRUNCATION} (values beyond +-truncation are redrawn), got ${truncation}`,
      'bad-truncation',
    );
  }
}

function checkObject(value: unknown, what: string | undefined): void {
  if (value == null || typeof value !== 'object')
    throw new ConfigError(`${prefixOf(what)}the request must be an object, got ${String(value)}`, 'bad-argument');
}
