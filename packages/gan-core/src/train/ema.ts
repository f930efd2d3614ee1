/**
 * Exponential moving average of the generator's weights (Karras et al.): samples from the averaged
 * generator are smoother than from the raw one. Non-trainable weights (BatchNorm moving statistics)
 * are copied, not averaged.
 */
import * as tf from '@tensorflow/tfjs';

export class GeneratorEma {
  constructor(
    private readonly source: tf.LayersModel,
    readonly target: tf.LayersModel,
    private readonly decay: number,
  ) {
    if (source.weights.length !== target.weights.length) {
      throw new Error('EMA target does not have the same weights as the generator');
    }
  }

  /** Copies the generator's weights into the EMA model. */
  reset(): void {
    tf.tidy(() => this.source.weights.forEach((w, i) => this.target.weights[i]?.write(w.read())));
  }

  /**
   * Blends after generator update number `step` (1-based). The effective decay ramps up as
   * min(decay, (1 + step) / (10 + step)) so early random weights do not linger for ~1/(1-decay) steps.
   */
  update(step: number): void {
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
