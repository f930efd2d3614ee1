/**
 * Adam with a one-pass update per variable where the backend has the fused kernel (wasm with the
 * native addon). Same state, same math and the same float32 operation order as TF.js's
 * AdamOptimizer, which it extends, but for the bias corrections (closed form, so that a resumed run
 * is exact): checkpoints (getWeights/setWeights) are interchangeable, and on other backends it
 * simply is TF.js's Adam.
 */
import * as tf from '@tensorflow/tfjs';
import { hasKernel } from '../kernels/kernel-utils.js';
import { FUSED_ADAM } from '../kernels/native/adam.js';
import type { FusedAdamAttrs } from '../kernels/native/adam.js';

/** The parts of TF.js's AdamOptimizer state that are private in its typings. */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  incrementIterations(): void;
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

/** TF.js's Adam, with each variable's update in one fused kernel where available. */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    if (!hasKernel(FUSED_ADAM)) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamInternals;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    // The bias corrections 1 - beta^t from the update count, in closed form. TF.js multiplies its
    // float32 beta^t by beta after every update but recomputes it with pow() when a checkpoint's
    // count is restored: the two differ in the last bits, and a resumed run drifted from the
    // uninterrupted one. The closed form is the same number either way.
    const t = this.iterations + 1;
    const oneMinusAccBeta1 = Math.fround(1 - Math.pow(self.beta1, t));
    const oneMinusAccBeta2 = Math.fround(1 - Math.pow(self.beta2, t));
    const attrs: FusedAdamAttrs = {
      learningRate: self.learningRate,
      beta1: self.beta1,
      beta2: self.beta2,
      epsilon: self.epsilon,
      oneMinusAccBeta1,
      oneMinusAccBeta2,
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        if (value === undefined) throw new Error(`FusedAdamOptimizer: no variable named '${name}'`);
        self.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        self.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i]?.tensor
          : variableGradients[name];
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i].variable;
        const v = self.accumulatedSecondMoment[i].variable;
        const [newValue, newM, newV] = tf
          .engine()
          .runKernel<tf.Tensor[]>(
            FUSED_ADAM,
            { x: value, g: gradient, m, v },
            attrs as unknown as tf.NamedAttrMap,
          );
        m.assign(newM!);
        v.assign(newV!);
        value.assign(newValue!);
      });
      // Unread above, but TF.js's own update (a backend without the fused kernel) reads them.
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    self.incrementIterations();
  }
}

/**
 * Adam as the project trains with it: {@link FusedAdamOptimizer} (TF.js's Adam, fused where the
 * backend allows).
 */
export function adam(
  learningRate: number,
  beta1: number,
  beta2: number,
  epsilon = 1e-8,
): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
