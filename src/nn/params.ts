/**
 * Parameter records: a network's weights as named tf.Variables ('conv1/kernel', ...), and their
 * plain, structured-clonable form ({ shape, values: Float32Array } by name) for checkpoints and
 * model files.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../utils/errors';

/** A network's trainable weights by stable name. */
export type Params = Record<string, tf.Variable>;
/** Weights as tensors, e.g. plain tensors loaded from a file: what `apply` reads. */
export type ParamTensors = Record<string, tf.Tensor>;

export interface NamedArray {
  shape: number[];
  values: Float32Array;
}
export type NamedArrays = Record<string, NamedArray>;

/** Reads every tensor back (async: safe on WebGPU). */
export async function readParams(params: ParamTensors): Promise<NamedArrays> {
  const names = Object.keys(params);
  const values = await Promise.all(names.map((name) => params[name].data<'float32'>()));
  const out: NamedArrays = {};
  names.forEach((name, i) => {
    out[name] = { shape: [...params[name].shape], values: Float32Array.from(values[i]) };
  });
  return out;
}

/**
 * Checks that `arrays` holds exactly the names and shapes of `params`, with finite values.
 * `what` names the source in the error (e.g. "generator weights in checkpoint").
 */
export function checkArrays(params: ParamTensors, arrays: NamedArrays, what: string): void {
  if (arrays == null || typeof arrays !== 'object')
    throw new ConfigError(`${what}: expected a record of named arrays, got ${String(arrays)}`, 'bad-weights');
  const expected = Object.keys(params);
  const missing = expected.filter((name) => !(name in arrays));
  const extra = Object.keys(arrays).filter((name) => !(name in params));
  if (missing.length > 0 || extra.length > 0) {
    throw new ConfigError(
      `${what}: names do not match the network` +
        (missing.length > 0 ? `; missing ${missing.join(', ')}` : '') +
        (extra.length > 0 ? `; unexpected ${extra.join(', ')}` : ''),
      'bad-weights',
    );
  }
  for (const name of expected) {
    const { shape, values } = arrays[name];
    const want = params[name].shape;
    if (!Array.isArray(shape) || shape.length !== want.length || shape.some((d, i) => d !== want[i])) {
      throw new ConfigError(`${what}: '${name}' has shape [${shape}], the network needs [${want}]`, 'bad-weights');
    }
    if (!(values instanceof Float32Array) || values.length !== params[name].size) {
      throw new ConfigError(
        `${what}: '${name}' needs a Float32Array of ${params[name].size} values, got ${describeValues(values)}`,
        'bad-weights',
      );
    }
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new ConfigError(
        `${what}: '${name}' holds a non-finite value (${values[bad]}) at index ${bad}`,
        'bad-weights',
      );
  }
}

function describeValues(values: unknown): string {
  if (values instanceof Float32Array) return `${values.length} values`;
  return values == null ? String(values) : ((values as object).constructor?.name ?? typeof values);
}

/** Overwrites variables with checked arrays (same names and shapes). */
export function assignParams(params: Params, arrays: NamedArrays, what: string): void {
  checkArrays(params, arrays, what);
  for (const name of Object.keys(params)) {
    tf.tidy(() => params[name].assign(tf.tensor(arrays[name].values, arrays[name].shape, 'float32')));
  }
}

/** New variables with the same values as `params` (zero-copy: tfjs shares the buffers). */
export function cloneParams(params: ParamTensors): Params {
  const out: Params = {};
  for (const [name, t] of Object.entries(params)) out[name] = tf.variable(t, true);
  return out;
}

export function disposeParams(params: ParamTensors): void {
  for (const t of Object.values(params)) t.dispose();
}

export function countParams(params: ParamTensors): number {
  return Object.values(params).reduce((n, t) => n + t.size, 0);
}
