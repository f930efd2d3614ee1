/**
 * Exponential moving average of the generator's weights (Karras et al.): samples from the averaged
 * generator are smoother than from the raw one. Non-trainable weights are copied, not averaged;
 * batch-norm statistics are then recomputed for the averaged weights before the EMA generator is
 * drawn from ({@link GeneratorEma.ready}, standing-statistics.ts).
 */
import * as tf from '@tensorflow/tfjs';

import { refreshStandingStatistics } from './standing-statistics.js';

export class GeneratorEma {
  /** True when the weights changed since the batch-norm statistics were last recomputed. */
  private statisticsStale = true;

  /** `statisticsSeed` seeds the noise the statistics are computed from (the run's seed). */
  constructor(
    private readonly source: tf.LayersModel,
    readonly target: tf.LayersModel,
    private readonly decay: number,
    private readonly statisticsSeed = 0,
  ) {
    if (source.weights.length !== target.weights.length) {
      throw new Error('EMA target does not have the same weights as the generator');
    }
  }

  /** Copies the generator's weights into the EMA model. */
  reset(): void {
    tf.tidy(() => this.source.weights.forEach((w, i) => this.target.weights[i]?.write(w.read())));
    this.statisticsStale = true;
  }

  /**
   * The EMA generator, ready to draw from in inference mode: its batch-norm statistics recomputed
   * for its current weights if they changed since. Deterministic: the same weights and seed give
   * the same statistics, so a resumed run draws what an uninterrupted one does.
   */
  ready(): tf.LayersModel {
    if (this.statisticsStale) {
      refreshStandingStatistics(this.target, { seed: this.statisticsSeed });
      this.statisticsStale = false;
    }
    return this.target;
  }

  /** Marks the weights as restored from a checkpoint, whose statistics were made for them. */
  restored(): void {
    this.statisticsStale = false;
  }

  /**
   * Blends after generator update number `step` (1-based). The effective decay ramps up as
   * min(decay, (1 + step) / (10 + step)) so early random weights do not linger for ~1/(1-decay) steps.
   */
  update(step: number): void {
    this.statisticsStale = true;
    if (this.decay === 0) {
      this.reset();
      return;
    }
    const decay = Math.min(this.decay, (1 + step) / (10 + step));
    tf.tidy(() => {
      this.source.weights.forEach((w, i) => {
        const target = this.target.weights[i];
        if (target === undefined) return;
        const value = w.read();
        target.write(
          w.trainable ? tf.add(tf.mul(target.read(), decay), tf.mul(value, 1 - decay)) : value,
        );
      });
    });
  }
}
