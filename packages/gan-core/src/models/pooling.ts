/**
 * The pooling layers of the ResNet discriminator, with gradients that have gradients: R1 and
 * WGAN-GP differentiate D's backward pass, and tfjs registers no gradient for AvgPoolGrad, so
 * `tf.layers.averagePooling2d` cannot sit in a penalised D. Discriminator-only: not registered
 * for serialization.
 */
import * as tf from '@tensorflow/tfjs';

import { singleInput } from './stock-layer-class.js';

function image(inputs: tf.Tensor | tf.Tensor[], layer: string): tf.Tensor4D {
  const x = singleInput(inputs);
  if (x?.rank !== 4) throw new Error(`${layer} takes one NHWC image tensor`);
  return x as tf.Tensor4D;
}

/**
 * 2x2 average pooling, stride 2, with a gradient that has a gradient: the stock AvgPool kernel
 * forward, and as its gradient 0.25 * nearest-neighbour upsampling of dy, itself a custom gradient
 * whose gradient is this pooling again (the pair are adjoint). Both directions run single kernels
 * (AvgPool, ResizeNearestNeighbor) rather than the reshapes and slices of a composite.
 */
const avgPool2x2 = tf.customGrad((...args) => {
  const x = args[0] as tf.Tensor4D;
  return {
    value: tf.avgPool(x, 2, 2, 'valid'),
    gradFunc: (dy: tf.Tensor) => unpool2x2(dy as tf.Tensor4D),
  };
}) as (x: tf.Tensor4D) => tf.Tensor4D;

/** The adjoint of {@link avgPool2x2}: each value spread over its 2x2 cell, times 0.25. */
const unpool2x2 = tf.customGrad((...args) => {
  const dy = args[0] as tf.Tensor4D;
  const [, h, w] = dy.shape;
  return {
    value: tf.mul(tf.image.resizeNearestNeighbor(dy, [2 * h, 2 * w]), 0.25),
    gradFunc: (g: tf.Tensor) => avgPool2x2(g as tf.Tensor4D),
  };
}) as (dy: tf.Tensor4D) => tf.Tensor4D;

/** 2x2 average pooling with stride 2 (even height and width), differentiable twice. */
export class AvgPool2x2 extends tf.layers.Layer {
  static readonly className = 'GanmodAvgPool2x2';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, h, w, c] = inputShape as tf.Shape;
    return [b ?? null, h == null ? null : h / 2, w == null ? null : w / 2, c ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = image(inputs, this.name);
    const [, h, w] = x.shape;
    if (h % 2 !== 0 || w % 2 !== 0) throw new Error(`${this.name}: ${h}x${w} is not even`);
    return avgPool2x2(x);
  }
}

/** Sum over height and width: `[b, h, w, c]` -> `[b, c]` (SNGAN's D ends with it, not a mean). */
export class GlobalSumPooling extends tf.layers.Layer {
  static readonly className = 'GanmodGlobalSumPooling';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = inputShape as tf.Shape;
    return [shape[0] ?? null, shape[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = image(inputs, this.name);
    return tf.tidy(() => tf.sum(x, [1, 2]));
  }
}
