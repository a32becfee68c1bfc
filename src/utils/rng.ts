/**
 * The trainer's seeded random number generator. Its whole state is four 32-bit words, so a
 * checkpoint can hold it and a resumed run draws exactly the numbers an unbroken run would.
 * Generator: sfc32 (Chris Doty-Humphrey's small fast counting RNG), seeded with splitmix32.
 */
import { ConfigError } from './errors';

export interface RngState {
  /** The four sfc32 state words, each an unsigned 32-bit integer. */
  words: [number, number, number, number];
}

const TWO_POW_32 = 4294967296;
/** sfc32's authors discard the first outputs so that similar seeds diverge. */
const WARM_UP_DRAWS = 12;

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_POW_32) {
      throw new ConfigError(`seed must be an integer in [0, 2^32), got ${seed}`, 'bad-seed');
    }
    let s = seed >>> 0;
    const splitmix32 = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix32();
    this.b = splitmix32();
    this.c = splitmix32();
    this.d = splitmix32();
    for (let i = 0; i < WARM_UP_DRAWS; i++) this.nextUint32();
  }

  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  getState(): RngState {
    return { words: [this.a, this.b, this.c, this.d] };
  }

  setState(state: RngState): void {
    const words = state?.words;
    if (
      !Array.isArray(words) ||
      words.length !== 4 ||
      !words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)
    ) {
      throw new ConfigError(
        `RNG state must be { words: four unsigned 32-bit integers }, got ${JSON.stringify(state)}`,
        'bad-state',
      );
    }
    [this.a, this.b, this.c, this.d] = words;
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = (this.b ^ (this.b >>> 9)) >>> 0;
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal by Box-Muller; no cached spare, so the state stays four words. */
  normal(): number {
    const u = 1 - this.uniform(); // in (0, 1]: log(u) is finite
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A seed for one seeded tf.random* call (tfjs computes those in JS: backend-independent). */
  seed(): number {
    return this.nextUint32();
  }
}

/**
 * The seed argument of a seeded tf.random* call. tfjs draws Math.random() for a falsy seed
 * (`seed ? seed : Math.random()` in its rand_util), so seed 0 gave other numbers on every call.
 * It seeds its generator with String(seed), so '0' is what 0 should have been; every other
 * seed passes unchanged.
 */
export function tfSeed(seed: number): number {
  return (seed === 0 ? '0' : seed) as number;
}
