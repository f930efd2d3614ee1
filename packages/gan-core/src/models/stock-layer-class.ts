/**
 * The class behind a stock tfjs-layers factory (`tf.layers.dense`, ...), which the layers API
 * does not export by name: the fast layers subclass it and keep its class name.
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
