/**
 * Dropout whose mask comes from a seed drawn per call. tf.layers.dropout with a fixed `seed` draws
 * the same mask on every step, and without one it uses Math.random, so a run could not be replayed
 * from a checkpoint. Only discriminators use it; exported generators need no custom layer.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeDropoutMask } from '../kernels/native/dropout.js';

/** Anything that hands out a fresh 32-bit seed per call (the trainer's counter-based PRNG). */
export interface SeedSource {
  nextSeed(): number;
}

/** A fallback source used when a model is built outside the trainer (deterministic, seed 0). */
export function fixedSeedSource(start = 0): SeedSource {
  let counter = start;
  return { nextSeed: () => (counter = (Math.imul(counter, 1664525) + 1013904223) >>> 0) };
}

export interface SeededDropoutArgs {
  rate: number;
  /** Defaults to {@link fixedSeedSource} (used when deserialized). */
  seeds?: SeedSource;
  name?: string;
}

export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'GanmodSeededDropout';
  private readonly rate: number;
  private readonly seeds: SeedSource;

  constructor(args: SeededDropoutArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    if (!(args.rate >= 0 && args.rate < 1))
      throw new RangeError(`dropout rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
    this.seeds = args.seeds ?? fixedSeedSource();
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x === undefined) throw new Error('SeededDropout expects one input');
    if (kwargs['training'] !== true || this.rate === 0) return x;
    const seed = this.seeds.nextSeed();
    return tf.tidy(() => {
      // One native pass for the mask where available (TF.js draws it element by element in JS).
      const mask = nativeDropoutMask(x.shape, this.rate, seed);
      return mask === undefined ? tf.dropout(x, this.rate, undefined, seed) : tf.mul(x, mask);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}
tf.serialization.registerClass(SeededDropout);
