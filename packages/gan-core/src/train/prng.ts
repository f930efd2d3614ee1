/**
 * A counter-based PRNG: draw i is a hash of (seed, i), so the whole generator state is two integers
 * that a checkpoint stores, and a resumed run draws exactly the numbers the uninterrupted run would.
 * Every random choice in training (latent noise seeds, dropout masks, augmentation, penalty
 * interpolation, fake labels) is drawn from one of these in a fixed order per step.
 */

/** Serializable state of a {@link CounterRng}. */
export interface RngState {
  seed: number;
  counter: number;
}

/** Chris Wellons' lowbias32 integer hash: good avalanche for a 32-bit mix. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export class CounterRng {
  private readonly seed: number;
  private counter: number;

  constructor(seed: number, counter = 0) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`PRNG seed must be an integer in [0, 2^32), got ${seed}`);
    }
    if (!Number.isSafeInteger(counter) || counter < 0) {
      throw new RangeError(`PRNG counter must be a non-negative safe integer, got ${counter}`);
    }
    this.seed = seed;
    this.counter = counter;
  }

  static fromState(state: RngState): CounterRng {
    return new CounterRng(state.seed, state.counter);
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const i = this.counter++;
    // Fold the high bits of the counter in so streams longer than 2^32 draws do not repeat.
    return mix32(
      mix32(this.seed ^ 0x9e3779b9) ^ mix32((i >>> 0) + Math.floor(i / 2 ** 32) * 0x85ebca6b),
    );
  }

  /**
   * A seed for tf.random* ops (which derive their stream from the seed's decimal string). Never 0:
   * tfjs treats a 0 seed as "unseeded" and falls back to Math.random.
   */
  nextSeed(): number {
    return this.nextUint32() || 1;
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 2 ** 32;
  }

  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }

  state(): RngState {
    return { seed: this.seed, counter: this.counter };
  }
}
