/**
 * What the fast layers share: the class behind a stock tfjs-layers factory (`tf.layers.dense`,
 * ...), which the layers API does not export by name (they subclass it and keep its class name),
 * and the one input their `call` takes.
 */
import type * as tf from '@tensorflow/tfjs';

/**
 * The class of `factory(args)`. Give `args` a `name`: a named probe takes no number from the
 * automatic layer names (dense_Dense1, batch_normalization_1, ...) of the models built afterwards.
 */
export function stockLayerClass<Args, Class = new (args: Args) => tf.layers.Layer>(
  factory: (args: Args) => tf.layers.Layer,
  args: Args,
): Class {
  return (Object.getPrototypeOf(factory(args)) as { constructor: Class }).constructor;
}

/** The one tensor a layer's `call` received, or `undefined` when it got several. */
export function singleInput(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | undefined {
  if (!Array.isArray(inputs)) return inputs;
  return inputs.length === 1 ? inputs[0] : undefined;
}
