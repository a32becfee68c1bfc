/**
 * `wgan-edge train`'s flags in one table: each flag's parser, the setting it fills, its line
 * of `--help`, and what a resumed run must see it repeat. Parsing, the resume check and the
 * usage text are all read from here, so a new flag is one row.
 */
import { TOY_NAMES } from '../data/toy';
import { WEIGHT_STORAGES, type WeightStorage } from '../io/format';
import { LOSS_NAMES, type LossName } from '../losses/settings';
import type { ArchConfig } from '../models/config';
import type { TrainerState } from '../train/state';
import { backendOptions, intOption, parse, type Args } from './args';
import { LABELLED_SETS } from './data';
import { UsageError } from './errors';

export interface HistoryPoint {
  step: number;
  wasserstein: number;
  criticLoss: number;
  generatorLoss: number;
  penalty: number;
  seconds: number;
}

/** What a run folder's checkpoint records beside the trainer's state. */
export interface RunRecord {
  data: string;
  /** The model folder's weight storage (--storage), which a resume keeps unless told otherwise. */
  storage?: WeightStorage;
  seconds: number;
  history: HistoryPoint[];
  /** The model an --init run started from, as the model card's provenance tells it. */
  initializedFrom?: { model: string; dataset?: string; steps: number };
  /** --invert: the folder's images are trained as negatives, and a resume reads them so again. */
  inverted?: boolean;
}

export interface Checkpoint {
  trainer: TrainerState;
  run: RunRecord;
}

export interface TrainOptions {
  data: string;
  out: string;
  resume: boolean;
  /** A model folder or shipped model's name to start from. */
  init?: string;
  /** Train on the negatives of a folder's images (a resume keeps its run's choice). */
  invert: boolean;
  json: boolean;
  /** Undefined: the data's default (DEFAULT_STEPS in train.ts). */
  steps?: number;
  loss?: LossName;
  /** The settings below, when undefined: a new run's defaults, or a resumed run's own. */
  seed?: number;
  batch?: number;
  dim?: number;
  emaDecay?: number;
  learningRate?: number;
  /** --lr-decay START: the learning rate falls linearly to 0 from generator step START to --steps. */
  decayFrom?: number;
  /** --latent-mixture K: the generator reads its latent as K separated Gaussians (a new run only). */
  latentComponents?: number;
  /** --conditional: a class-conditional pair on the data's labels (a new run; a resume keeps its run's choice). */
  conditional: boolean;
  storage?: WeightStorage;
}

type Setting = keyof TrainOptions;
/** A flag's value as a resume compares it: a boolean flag given is `true`. */
type Shown = string | number | true;

interface TrainFlag {
  flag: string;
  setting: Setting;
  /** Boolean flags take no value (and default to false). */
  boolean?: true;
  /** A string flag's value, checked: a UsageError naming the flag when it is bad. */
  parse?: (value: string) => TrainOptions[Setting];
  /** Its `--help` line: the value's name and what it does. */
  help: string;
  /** Required flags are not in brackets in the usage, and their absence is a UsageError with this text. */
  required?: string;
  /**
   * What a checkpoint was trained with (null: without the flag). A resumed run goes on with its
   * checkpoint's settings, so a flag given again must repeat this value: another would be ignored.
   */
  trained?: (checkpoint: Checkpoint) => Shown | null;
}

/** The --dim that rebuilds `arch` (resolveData's width: the MLP's hidden units, the conv nets' DIM). */
export function widthOf(arch: ArchConfig): number {
  return arch.kind === 'mlp' ? arch.hidden : arch.dim;
}

const oneOf =
  <T extends string>(flag: string, allowed: readonly T[]) =>
  (value: string): T => {
    if (!allowed.includes(value as T))
      throw new UsageError(`--${flag} must be one of ${allowed.join(', ')} (got '${value}').`);
    return value as T;
  };

const integer = (flag: string, min: number, max: number) => (value: string) => intOption(flag, value, min, max);

/** `--ema D`: keep a moving average of the generator with decay D in (0, 1); it is what gets saved. */
function decay(value: string): number {
  const d = Number(value);
  if (!(d > 0 && d < 1)) throw new UsageError(`--ema must be a decay between 0 and 1, e.g. 0.999 (got '${value}').`);
  return d;
}

function learningRate(value: string): number {
  const rate = Number(value);
  if (!(rate > 0 && rate <= 1))
    throw new UsageError(`--lr must be a learning rate in (0, 1], e.g. 4e-4 (got '${value}').`);
  return rate;
}

const DATA_NAMES = [...TOY_NAMES, ...LABELLED_SETS].join('|');

export const TRAIN_FLAGS: readonly TrainFlag[] = [
  {
    flag: 'data',
    setting: 'data',
    parse: String,
    help: `${DATA_NAMES}|<folder of PNG/JPEG>`,
    required: `train needs --data (${[...TOY_NAMES, ...LABELLED_SETS].join(', ')} or a folder of images).`,
    trained: ({ run }) => run.data,
  },
  {
    flag: 'loss',
    setting: 'loss',
    parse: oneOf('loss', LOSS_NAMES),
    help: LOSS_NAMES.join('|'),
    trained: ({ trainer }) => trainer.loss,
  },
  { flag: 'steps', setting: 'steps', parse: integer('steps', 1, 1e9), help: 'N' },
  {
    flag: 'batch',
    setting: 'batch',
    parse: integer('batch', 1, 65536),
    help: 'B',
    trained: ({ trainer }) => trainer.settings.batchSize,
  },
  {
    flag: 'seed',
    setting: 'seed',
    parse: integer('seed', 0, 2 ** 32 - 1),
    help: 'S',
    trained: ({ trainer }) => trainer.seed,
  },
  {
    flag: 'dim',
    setting: 'dim',
    parse: integer('dim', 1, 1024),
    help: 'D (width: MLP hidden units, conv DIM)',
    trained: ({ trainer }) => widthOf(trainer.arch),
  },
  {
    flag: 'ema',
    setting: 'emaDecay',
    parse: decay,
    help: 'DECAY (save a moving average of the generator)',
    trained: ({ trainer }) => trainer.settings.emaDecay,
  },
  {
    flag: 'lr',
    setting: 'learningRate',
    parse: learningRate,
    help: "RATE (both nets' learning rate; default: the loss's)",
    trained: ({ trainer }) => trainer.settings.learningRate,
  },
  {
    flag: 'lr-decay',
    setting: 'decayFrom',
    parse: integer('lr-decay', 0, 1e9),
    help: 'START (the rate falls linearly to 0 from step START to --steps)',
    trained: ({ trainer }) => trainer.settings.learningRateDecay?.start ?? null,
  },
  {
    flag: 'latent-mixture',
    setting: 'latentComponents',
    parse: integer('latent-mixture', 2, 1024),
    help: 'K (latents as K separated Gaussians: fewer in-between samples)',
    trained: ({ trainer }) => trainer.arch.latentComponents ?? null,
  },
  {
    flag: 'conditional',
    setting: 'conditional',
    boolean: true,
    help: '(class-conditional on the labels of mnist, fashion-mnist or emoji)',
    trained: ({ trainer }) => trainer.arch.labels != null || null,
  },
  {
    flag: 'storage',
    setting: 'storage',
    parse: oneOf('storage', WEIGHT_STORAGES),
    help: `${WEIGHT_STORAGES.join('|')} (the model folder's weights)`,
  },
  {
    flag: 'init',
    setting: 'init',
    parse: String,
    help: "DIR|<shipped name> (start from a model's networks; --steps counts on from its)",
  },
  {
    flag: 'invert',
    setting: 'invert',
    boolean: true,
    help: "(a folder's images as negatives: ink on paper -> light on dark, as MNIST)",
    trained: ({ run }) => run.inverted || null,
  },
  {
    flag: 'out',
    setting: 'out',
    parse: String,
    help: 'DIR',
    required: 'train needs --out DIR, the model folder to write.',
  },
  { flag: 'resume', setting: 'resume', boolean: true, help: '' },
  { flag: 'json', setting: 'json', boolean: true, help: '' },
];

/** `train`'s argv as its options (the table's flags) and backend options (every command's). */
export function parseTrainArgs(argv: string[]): { options: TrainOptions; backend: ReturnType<typeof backendOptions> } {
  const args: Args = parse(
    argv,
    Object.fromEntries(
      TRAIN_FLAGS.map(({ flag, boolean }) => [
        flag,
        boolean ? { type: 'boolean', default: false } : { type: 'string' },
      ]),
    ),
  );
  const missing = TRAIN_FLAGS.find(({ flag, required }) => required != null && args[flag] == null);
  if (missing != null) throw new UsageError(missing.required!);
  const options: Record<string, unknown> = {};
  for (const { flag, setting, boolean, parse: parseValue } of TRAIN_FLAGS) {
    const value = args[flag];
    options[setting] = boolean ? Boolean(value) : value == null ? undefined : parseValue!(String(value));
  }
  return { options: options as unknown as TrainOptions, backend: backendOptions(args) };
}

/**
 * `--resume` goes on with the checkpoint's settings: a flag given again must repeat its value,
 * since a different one would be ignored without a word (the trainer is rebuilt from its state).
 */
export function checkResumedSettings(out: string, checkpoint: Checkpoint, options: TrainOptions): void {
  for (const { flag, setting, trained } of TRAIN_FLAGS) {
    if (trained == null) continue;
    const value = options[setting] as Shown | boolean | undefined;
    if (value == null || value === false) continue;
    const was = trained(checkpoint);
    if (value === was) continue;
    const named = (v: Shown) => (v === true ? `--${flag}` : `--${flag} ${v}`);
    throw new UsageError(
      `--resume: ${out} was trained ${was == null ? `without --${flag}` : `with ${named(was)}`}, not ${named(value)}.`,
    );
  }
}

/** `train`'s lines of `--help`, from the table: required flags bare, the others in brackets. */
export function trainUsage(indent: string): string {
  const shown = TRAIN_FLAGS.map(({ flag, help, required }) => {
    const text = help === '' ? `--${flag}` : `--${flag} ${help}`;
    return required != null ? text : `[${text}]`;
  });
  // The short flags share a line; each flag with a description has its own.
  const lines: string[] = [];
  for (const item of shown) {
    const last = lines.at(-1);
    if (last != null && !last.includes('(') && !item.includes('(') && last.length + item.length < 72)
      lines[lines.length - 1] = `${last} ${item}`;
    else lines.push(item);
  }
  return lines.join(`\n${indent}`);
}
