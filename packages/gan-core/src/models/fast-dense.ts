/**
 * `tf.layers.dense` with a cheaper forward and gradient, serialized as the stock `Dense`.
 *
 * Why: the stock layer runs `fused.matMul`, whose custom gradient computes the gradients of all
 * its inputs eagerly (a D update also computes D's input gradient, a G update D's weight
 * gradients: ~19% of an MLP GAN step's matmul FLOPs), and on 2-D inputs it is four kernels
 * (reshapes to and from the batched form BatchMatMul takes) with TF.js's fixed cost each.
 * `fastDense` computes x W + b as one native kernel (`GanmodDense`, kernels/native/dense.ts) where
 * the addon serves, else as `matMul` + `add`; both have per-input gradients that TF.js evaluates
 * only where needed. Then the layer's activation, as the stock layer applies it.
 *
 * It is a subclass of TF.js's own Dense and keeps its class name, weights, initializers and
 * config: a model saved with it (a generator exported for the browser) loads as stock `Dense`
 * layers, and checkpoints, which restore weights by position, are unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeDense } from '../kernels/native/dense.js';
import { tapLayerOutput } from './layer-tap.js';
import { singleInput, stockLayerClass } from './stock-layer-class.js';

/** Arguments of `tf.layers.dense`. */
export type DenseArgs = Parameters<typeof tf.layers.dense>[0];

/** The parts of TF.js's Dense layer the fast path reads (they are not in its public typings). */
interface DenseInternals {
  kernel: tf.LayerVariable | null;
  bias: tf.LayerVariable | null;
  activation: { apply(x: tf.Tensor): tf.Tensor } | null;
  invokeCallHook(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): void;
}

const StockDense = stockLayerClass<DenseArgs>(tf.layers.dense, {
  units: 1,
  name: 'ganmod_dense_probe',
});

/** The Dense layer with the fast path; subclasses may transform the kernel (spectral norm). */
export class FastDense extends StockDense {
  /** Whether `x` takes the fast path (else the stock layer's code runs). */
  protected takesFastPath(x: tf.Tensor | undefined): x is tf.Tensor2D {
    const layer = this as unknown as DenseInternals;
    return x !== undefined && x.rank === 2 && x.dtype === 'float32' && layer.kernel !== null;
  }

  /** The kernel the fast path multiplies by: the variable itself here. */
  protected kernelValue(kernel: tf.Tensor2D): tf.Tensor2D {
    return kernel;
  }

  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: tf.serialization.ConfigDict,
  ): tf.Tensor | tf.Tensor[] {
    const x = singleInput(inputs);
    const layer = this as unknown as DenseInternals;
    if (!this.takesFastPath(x) || layer.kernel === null) {
      return super.call(inputs, kwargs);
    }
    const variable = layer.kernel;
    return tf.tidy(() => {
      layer.invokeCallHook(inputs, kwargs);
      const kernel = this.kernelValue(variable.read() as tf.Tensor2D);
      const bias = layer.bias?.read() as tf.Tensor1D | undefined;
      let y: tf.Tensor =
        nativeDense(x, kernel, bias) ??
        (bias === undefined ? tf.matMul(x, kernel) : tf.add(tf.matMul(x, kernel), bias));
      y = tapLayerOutput(this, x, y);
      if (layer.activation !== null) y = layer.activation.apply(y);
      return y;
    });
  }
}

/** A Dense layer (same arguments as `tf.layers.dense`) with lazy per-input gradients. */
export function fastDense(args: DenseArgs): tf.layers.Layer {
  return new FastDense(args);
}
