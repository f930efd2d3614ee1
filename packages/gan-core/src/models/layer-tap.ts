/**
 * A hook into the pre-activation output of the project's dense and conv layers (`fastDense`,
 * `fastConv2d`), for per-example gradient norms (privacy/per-example.ts): while a tap is active,
 * each layer hands it its input and pre-activation output, and continues with what the tap returns.
 * Inactive (always, outside a DP-SGD step), it costs one comparison per layer call.
 */
import type * as tf from '@tensorflow/tfjs';

/** Receives a layer's input and pre-activation output; returns the output to continue with. */
export type LayerTap = (layer: tf.layers.Layer, input: tf.Tensor, output: tf.Tensor) => tf.Tensor;

let active: LayerTap | null = null;

/** Runs `f` with `tap` active (taps do not nest). */
export function withLayerTap<T>(tap: LayerTap, f: () => T): T {
  if (active !== null) throw new Error('a layer tap is already active');
  active = tap;
  try {
    return f();
  } finally {
    active = null;
  }
}

/** Called by the tappable layers on their pre-activation output. */
export function tapLayerOutput(
  layer: tf.layers.Layer,
  input: tf.Tensor,
  output: tf.Tensor,
): tf.Tensor {
  return active === null ? output : active(layer, input, output);
}
