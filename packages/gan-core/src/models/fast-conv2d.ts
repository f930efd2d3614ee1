/**
 * `tf.layers.conv2d` with gradients computed only where needed, serialized as the stock `Conv2D`.
 *
 * Why: the stock layer runs `fused.conv2d`, whose custom gradient computes both the input
 * gradient (Conv2DBackpropInput) and the kernel gradient (Conv2DBackpropFilter) eagerly. In a GAN
 * step that wastes work twice: a G update computes D's kernel gradients it never applies, and a D
 * update the image gradient of D's first convolution. `tf.conv2d` + `tf.add` (then the layer's
 * activation, as the stock layer applies it) have per-input gradients that TF.js evaluates only
 * for inputs on the path to the variables being trained.
 *
 * It is a subclass of TF.js's own Conv2D and keeps its class name, weights, initializers and
 * config, so checkpoints (weights by position) and saved models are unchanged. Channels-last,
 * undilated float32 convolutions take the fast path; anything else runs the stock layer's code.
 */
import * as tf from '@tensorflow/tfjs';
import { tapLayerOutput } from './layer-tap.js';
import { singleInput, stockLayerClass } from './stock-layer-class.js';

/** Arguments of `tf.layers.conv2d`. */
export type Conv2DArgs = Parameters<typeof tf.layers.conv2d>[0];

/** The parts of TF.js's Conv2D layer the fast path reads (they are not in its public typings). */
interface Conv2DInternals {
  kernel: tf.LayerVariable | null;
  bias: tf.LayerVariable | null;
  strides: [number, number];
  padding: 'valid' | 'same' | 'causal';
  dataFormat: 'channelsFirst' | 'channelsLast';
  dilationRate: number | [number, number];
  activation: { apply(x: tf.Tensor): tf.Tensor } | null;
}

const StockConv2D = stockLayerClass<Conv2DArgs>(tf.layers.conv2d, {
  filters: 1,
  kernelSize: 1,
  name: 'ganmod_conv2d_probe',
});

const undilated = (rate: number | [number, number]): boolean =>
  typeof rate === 'number' ? rate === 1 : rate.every((r) => r === 1);

/** The Conv2D layer with the fast path; subclasses may transform the kernel (spectral norm). */
export class FastConv2D extends StockConv2D {
  /** Whether `x` takes the fast path (else the stock layer's code runs). */
  protected takesFastPath(x: tf.Tensor | undefined): x is tf.Tensor4D {
    const layer = this as unknown as Conv2DInternals;
    return (
      x !== undefined &&
      x.rank === 4 &&
      x.dtype === 'float32' &&
      layer.kernel !== null &&
      layer.dataFormat === 'channelsLast' &&
      layer.padding !== 'causal' &&
      undilated(layer.dilationRate)
    );
  }

  /** The kernel the fast path convolves with: the variable itself here. */
  protected kernelValue(kernel: tf.Tensor4D): tf.Tensor4D {
    return kernel;
  }

  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: tf.serialization.ConfigDict,
  ): tf.Tensor | tf.Tensor[] {
    const x = singleInput(inputs);
    const layer = this as unknown as Conv2DInternals;
    if (!this.takesFastPath(x) || layer.kernel === null || layer.padding === 'causal') {
      return super.call(inputs, kwargs);
    }
    const padding = layer.padding;
    const kernel = layer.kernel;
    return tf.tidy(() => {
      const conv = tf.conv2d(
        x,
        this.kernelValue(kernel.read() as tf.Tensor4D),
        layer.strides,
        padding,
      );
      let y: tf.Tensor = layer.bias === null ? conv : tf.add(conv, layer.bias.read());
      y = tapLayerOutput(this, x, y);
      if (layer.activation !== null) y = layer.activation.apply(y);
      return y;
    });
  }
}

/** A Conv2D layer (same arguments as `tf.layers.conv2d`) with lazy per-input gradients. */
export function fastConv2d(args: Conv2DArgs): tf.layers.Layer {
  return new FastConv2D(args);
}
