/**
 * Sampling a generator: latents -> generator -> one asynchronous readback -> the format asked
 * for. The one path the library, the worker runtime (src/runtime/host.ts) and the CLI
 * (`wgan-edge sample`) share, so a seed gives the same samples through each of them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ArchConfig } from '../models/config';
import type { Network } from '../models/network';
import { ConfigError } from '../utils/errors';
import { Rng } from '../utils/rng';
import { latentPath, mixtureLatentPath, seededLatents, type InterpolationPath } from './latent_paths';
import { renderSamples, type SampleFormat, type SampleResult } from './render';
import {
  checkCount,
  checkFormat,
  checkInterpolateRequest,
  checkPath,
  checkSampleRequest,
  checkSeed,
  checkSteps,
} from './requests';

/** The result of one format: `SampleOf<'png'>` has `png`, the others `shape` and `values`. */
export type SampleOf<F extends SampleFormat> = Extract<SampleResult, { format: F }>;

export interface SampleOptions<F extends SampleFormat = SampleFormat> {
  /** How many samples. */
  n: number;
  /** The latents are a function of the seed alone (an integer in [0, 2^32)), on every backend. */
  seed: number;
  /** Redraw latent values beyond +-truncation (the truncation trick); default none. */
  truncation?: number;
  /** 'float32' (the default), 'rgba' (images, ready for ImageData) or 'png'. */
  format?: F;
  /**
   * A conditional model's class (0 to its labels - 1) for every sample; without it, each
   * sample's label is drawn uniformly, a function of the seed alone. An unconditional model
   * refuses a label.
   */
  label?: number;
}

export interface InterpolateOptions<F extends SampleFormat = SampleFormat> {
  /** Seed of the first end (the latent sampleGenerator draws first for that seed). */
  from: number;
  /** Seed of the last end. */
  to: number;
  /** Samples along the path, both ends included (>= 2). */
  steps: number;
  /** Default 'slerp'. */
  path?: InterpolationPath;
  truncation?: number;
  format?: F;
  /** A conditional model's class along the whole path; without it, the label of the `from` end (sampleGenerator's first for that seed). */
  label?: number;
}

/** Draws a conditional model's default labels apart from the truncation's redraws, which Rng(seed) makes. */
const LABEL_STREAM = 0x6c61626c;

/**
 * Runs `network` (a generator) on `latents` (row-major [n, latentDim]) and returns the samples
 * in `format`. `labels` (one per sample, see sampleLabels) when the generator is conditional.
 * The forward pass runs in a tidy and is read back asynchronously (no blocking readback: safe
 * on WebGPU); the values are a copy the caller owns (transferable), and no tensor is left behind.
 */
export async function generateSamples<F extends SampleFormat = 'float32'>(
  network: Network,
  latents: Float32Array,
  format?: F,
  labels?: Int32Array,
): Promise<SampleOf<F>> {
  const f = checkFormat(format);
  const config = network.config;
  if (network.role !== 'generator')
    throw new ConfigError(`generateSamples needs a generator, got a ${network.role}`, 'bad-argument');
  const n = latents.length / config.latentDim;
  if (!Number.isInteger(n) || n < 1) {
    throw new ConfigError(
      `latents must hold n >= 1 rows of latentDim ${config.latentDim} values, got ${latents.length} values`,
      'bad-latents',
    );
  }
  if (labels != null && labels.length !== n)
    throw new ConfigError(`labels must hold one label per sample (${n}), got ${labels.length}`, 'bad-label');
  const out = tf.tidy(() =>
    network.apply(network.params, tf.tensor2d(latents, [n, config.latentDim]), labels && tf.tensor1d(labels, 'int32')),
  );
  const shape = [...out.shape];
  let values: Float32Array<ArrayBuffer>;
  try {
    // data() may hand back the backend's own buffer (cpu): copy, so the caller may keep or transfer it.
    values = (await out.data<'float32'>()).slice();
  } finally {
    out.dispose();
  }
  return renderSamples(values, shape, config.outputRange, f) as SampleOf<F>;
}

/** `n` samples of the generator from `seed` (see seededLatents): same seed, same samples. */
export async function sampleGenerator<F extends SampleFormat = 'float32'>(
  network: Network,
  options: SampleOptions<F>,
): Promise<SampleOf<F>> {
  const format = checkSampleRequest(options);
  const labels = sampleLabels(network.config.labels, options);
  return generateSamples(network, await sampleLatents(network.config.latentDim, options), format, labels);
}

/**
 * `steps` samples along the path between the latents of seeds `from` and `to` (each the first
 * latent sampleGenerator draws for it, so the ends are sampleGenerator's first samples).
 */
export async function interpolateGenerator<F extends SampleFormat = 'float32'>(
  network: Network,
  options: InterpolateOptions<F>,
): Promise<SampleOf<F>> {
  const { format } = checkInterpolateRequest(options);
  const labels = interpolateLabels(network.config.labels, options);
  return generateSamples(network, await interpolateLatents(network.config, options), format, labels);
}

/** The labels interpolateGenerator gives a model with `classes` labels: one label along the whole path. */
export function interpolateLabels(
  classes: number | undefined,
  options: { from: number; steps: number; label?: number },
): Int32Array | undefined {
  const label = options.label ?? sampleLabels(classes, { n: 1, seed: options.from })?.[0];
  return sampleLabels(classes, { n: options.steps, seed: options.from, label });
}

/**
 * The labels sampleGenerator gives a model with `classes` labels (undefined: unconditional):
 * `label` for all n samples, or without it n labels drawn uniformly from the seed. Undefined
 * for an unconditional model, which refuses a label.
 */
export function sampleLabels(
  classes: number | undefined,
  options: { n: number; seed: number; label?: number },
): Int32Array | undefined {
  const { n, seed, label } = options;
  checkLabel(label, classes);
  if (classes == null) return undefined;
  if (label != null) return new Int32Array(n).fill(label);
  checkSeed(seed, 'seed');
  const rng = new Rng((seed ^ LABEL_STREAM) >>> 0);
  return Int32Array.from({ length: n }, () => rng.int(classes));
}

/** A label fits a model of `classes` labels: an integer below it, and none for an unconditional model. */
export function checkLabel(label: number | undefined, classes: number | undefined): void {
  if (label == null) return;
  if (classes == null)
    throw new ConfigError(`label ${label}: this model is unconditional, it takes no label`, 'bad-label');
  if (!Number.isInteger(label) || label < 0 || label >= classes) {
    throw new ConfigError(
      `label must be an integer from 0 to ${classes - 1} (the model's ${classes} classes), got ${label}`,
      'bad-label',
    );
  }
}

/** The latents sampleGenerator feeds the generator: [n, latentDim], row-major. */
export async function sampleLatents(latentDim: number, options: Omit<SampleOptions, 'format'>): Promise<Float32Array> {
  const { n, seed, truncation } = options;
  checkCount(n);
  return seededLatents(n, latentDim, seed, truncation);
}

/**
 * The latents interpolateGenerator feeds a generator of architecture `arch`: [steps, latentDim],
 * row-major. With a latent mixture the path runs through the network's input (mixtureLatentPath).
 */
export async function interpolateLatents(
  arch: Pick<ArchConfig, 'latentDim' | 'latentComponents' | 'latentComponentsAllowed' | 'latentAnchors'>,
  options: Omit<InterpolateOptions, 'format'>,
): Promise<Float32Array> {
  const { latentDim, latentComponents } = arch;
  const { from, to, steps, truncation } = options;
  const path = checkPath(options.path);
  checkSteps(steps);
  checkSeed(from, 'from');
  checkSeed(to, 'to');
  const a = await seededLatents(1, latentDim, from, truncation);
  const b = await seededLatents(1, latentDim, to, truncation);
  return latentComponents == null
    ? latentPath(a, b, steps, path)
    : mixtureLatentPath(a, b, steps, path, { ...arch, latentComponents });
}
