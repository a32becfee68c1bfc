/**
 * Errors across the worker boundary. Comlink sends a thrown Error as its name, message and
 * stack only, and rebuilds a plain Error: `instanceof ModelFormatError` and fields such as `code`
 * are lost. This handler also sends the error's own primitive fields, and rebuilds the error
 * with the class registered under its name on the receiving side.
 */
import * as Comlink from 'comlink';
import { BackendError } from '../backend/errors';
import { ModelFormatError } from '../io/format';
import { ModelStorageError } from '../io/storage_files';
import type { FineTuneInputError } from '../train/finetune';
import { ConfigError } from '../utils/errors';

export type RuntimeErrorCode =
  /** The worker script could not be loaded or threw while starting. */
  | 'worker-start-failed'
  /** The worker stopped (terminated, crashed, out of memory) while calls were pending. */
  | 'worker-died'
  /** dispose() was called; the runtime takes no more calls. */
  | 'disposed'
  /** A call before init() started the backend. */
  | 'not-started'
  /** sample/interpolate/train need a model: load one first. */
  | 'no-model'
  /**
   * A request the host itself refuses (no arch, data of the wrong form, a bad save target, a
   * fine-tune's input, with its code as `reason`). Fields the library checks too (n, seeds,
   * formats, settings, architectures) reject with a ConfigError and its code.
   */
  | 'bad-request'
  /** load/train while a training run is in progress. */
  | 'busy';

export class RuntimeError extends Error {
  override name = 'RuntimeError';
  constructor(
    message: string,
    readonly code: RuntimeErrorCode,
    /** For a 'bad-request' from fineTune: what was wrong with its input (FineTuneInputError's code). */
    readonly reason?: FineTuneInputError['code'],
  ) {
    super(message);
  }
}

type ErrorClass = abstract new (...args: never[]) => Error;

const errorClasses = new Map<string, ErrorClass>([
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['RuntimeError', RuntimeError],
  ['BackendError', BackendError],
  ['ModelFormatError', ModelFormatError],
  ['ModelStorageError', ModelStorageError],
  ['ConfigError', ConfigError],
]);

/**
 * Errors named `name` arriving from the other side become instances of `errorClass` here.
 * Register a class on the receiving side (the project's own error classes are registered
 * already (ConfigError among them), except TrainingDivergedError, which lives with the tfjs trainer: its name, message
 * and fields still cross).
 */
export function registerErrorClass(errorClass: ErrorClass & { prototype: Error }, name = errorClass.name): void {
  errorClasses.set(name, errorClass);
}

type Primitive = string | number | boolean | null;
type PlainValue = Primitive | Primitive[];

const isPrimitive = (value: unknown): value is Primitive =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** The error's own plain fields: primitives and lists of them (e.g. `code`, `quantities`). */
  fields: Record<string, PlainValue>;
}

type Serialized = { isError: true; value: WireError } | { isError: false; value: unknown };

export function toWireError(error: Error): WireError {
  const fields: WireError['fields'] = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === 'name' || key === 'message' || key === 'stack') continue;
    if (isPrimitive(value)) fields[key] = value;
    else if (Array.isArray(value) && value.every(isPrimitive)) fields[key] = [...value];
  }
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

/** Rebuilds without calling the constructor: constructors differ in their arguments. */
export function fromWireError(wire: WireError): Error {
  if (typeof DOMException === 'function' && !errorClasses.has(wire.name) && isDomExceptionName(wire.name)) {
    return new DOMException(wire.message, wire.name);
  }
  const errorClass = errorClasses.get(wire.name) ?? Error;
  const error = Object.create(errorClass.prototype) as Error;
  Object.defineProperty(error, 'message', { value: wire.message, writable: true, configurable: true });
  Object.defineProperty(error, 'stack', { value: wire.stack, writable: true, configurable: true });
  Object.assign(error, wire.fields);
  if (error.name !== wire.name)
    Object.defineProperty(error, 'name', { value: wire.name, writable: true, configurable: true });
  return error;
}

/** DOMException names used for cancellation and cloning failures. */
function isDomExceptionName(name: string): boolean {
  return name === 'AbortError' || name === 'DataCloneError' || name === 'TimeoutError' || name === 'NotSupportedError';
}

let installed = false;

/** Replaces Comlink's 'throw' handler; both sides of the boundary must call it. Idempotent. */
export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const comlinkThrow = Comlink.transferHandlers.get('throw')!;
  Comlink.transferHandlers.set('throw', {
    canHandle: comlinkThrow.canHandle,
    serialize(thrown: unknown): [Serialized, Transferable[]] {
      const { value } = thrown as { value: unknown };
      if (value instanceof Error) return [{ isError: true, value: toWireError(value) }, []];
      return [{ isError: false, value }, []];
    },
    deserialize(serialized: unknown): never {
      const s = serialized as Serialized;
      throw s.isError ? fromWireError(s.value) : s.value;
    },
  });
}
