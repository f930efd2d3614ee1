/**
 * `tf.layers.batchNormalization` whose training pass is one native kernel forward and one backward
 * (`GanmodBatchNormTrain` / `GanmodBatchNormTrainGrad`, src/kernels/native/batch-norm.ts) where
 * the addon serves them; everything else is the stock layer's.
 *
 * Why: in training the stock layer runs tf.moments + tf.batchNorm forward and ~25 small kernels
 * backward, each with TF.js's fixed per-kernel cost: 3-6 ms of a ~40 ms MLP GAN step.
 *
 * Serialization is the stock layer's: the class name stays 'BatchNormalization' and the class is
 * not registered, so `model.toJSON()`, checkpoints and the browser export see (and stock TF.js
 * loads) a plain BatchNormalization layer with the same config and weights.
 *
 * Second-order gradients through its training pass are not supported (they throw
 * `BatchNormSecondOrderError`): only generators use batch norm, and the gradient penalties
 * (R1, WGAN-GP) differentiate discriminators.
 */
import * as tf from '@tensorflow/tfjs';

import { batchNormTrain } from '../kernels/native/batch-norm.js';
import { singleInput, stockLayerClass } from './stock-layer-class.js';

/** `tf.layers.batchNormalization`'s options. */
export type FastBatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;

/** The stock layer's class, which tfjs does not export by name. */
type BatchNormalizationClass = (new (args?: FastBatchNormArgs) => tf.layers.Layer) & {
  className: string;
};

const StockBatchNormalization = stockLayerClass<FastBatchNormArgs, BatchNormalizationClass>(
  tf.layers.batchNormalization,
  { name: 'ganmod_batch_norm_probe' },
);

/** The stock layer's fields the training pass reads (private in tfjs-layers' typings). */
interface BatchNormalizationFields {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: tf.LayerVariable | undefined;
  beta: tf.LayerVariable | undefined;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

/** `LayerVariable.write`, missing from its public typings. */
type WritableVariable = tf.LayerVariable & { write(value: tf.Tensor): tf.LayerVariable };

/**
 * tfjs-layers 4.22's moving-average update, op for op: `v - (v - value) * (1 - momentum)`. The
 * batch variance goes in as it is (biased: tfjs-layers does not correct it to N / (N - 1)).
 */
function doMovingAverage(variable: tf.LayerVariable, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const decay = 1 - momentum;
    const origValue = variable.read();
    const updateDelta = tf.mul(tf.sub(origValue, value), decay);
    (variable as WritableVariable).write(tf.sub(origValue, updateDelta));
  });
}

/** BatchNormalization with a one-kernel training pass (last axis, float32, native addon). */
export class FastBatchNorm extends StockBatchNormalization {
  /** The stock name: models serialize (and stock TF.js loads them) as BatchNormalization. */
  static override className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const training = (kwargs['training'] as boolean | undefined) ?? false;
    const input = singleInput(inputs);
    const fields = this as unknown as BatchNormalizationFields;
    if (training && input !== undefined) {
      const rank = input.rank;
      const axis = fields.axis >= 0 ? fields.axis : fields.axis + rank;
      if (axis === rank - 1) {
        const result = tf.tidy(() => {
          const out = batchNormTrain(
            input,
            fields.gamma?.read(),
            fields.beta?.read(),
            fields.epsilon,
          );
          if (out === undefined) return undefined;
          const [normed, mean, variance] = out;
          doMovingAverage(fields.movingMean, mean, fields.momentum);
          doMovingAverage(fields.movingVariance, variance, fields.momentum);
          return normed;
        });
        if (result !== undefined) return result;
      }
    }
    return super.call(inputs, kwargs) as tf.Tensor;
  }
}

/** Creates a {@link FastBatchNorm} (the options of `tf.layers.batchNormalization`). */
export function fastBatchNorm(args: FastBatchNormArgs = {}): FastBatchNorm {
  return new FastBatchNorm(args);
}
