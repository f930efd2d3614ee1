/**
 * A Dense layer (x W + b) on TF.js's unfused ops, for discriminators.
 *
 * Why: `tf.layers.dense` runs `fused.matMul`, whose custom gradient computes the gradients of all
 * its inputs eagerly. In a GAN step that wastes work twice: the D update also computes D's input
 * gradient, and the G update computes D's weight gradients (~19% of an MLP GAN step's matmul
 * FLOPs). `matMul` and `add` have per-input gradients that TF.js evaluates only for inputs on the
 * path to the variables being trained.
 *
 * Same weights as `tf.layers.dense` (kernel [inputs, units], then bias [units]), drawn by the same
 * initializers in the same order, and the same values: checkpoints, which restore weights by
 * position, are interchangeable. Generators keep `tf.layers.dense` (exported for the browser).
 *
 * On the wasm backend with the native addon the product and the bias are one kernel
 * (`GanmodDense`, see kernels/native_dense.ts) with the same lazy per-input gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeDense } from '../kernels/native_dense.js';

/** Options of {@link UnfusedDense}. */
export interface UnfusedDenseArgs {
  units: number;
  /** Add a bias (default true). */
  useBias?: boolean;
  name?: string;
}

export class UnfusedDense extends tf.layers.Layer {
  static readonly className = 'GanmodUnfusedDense';
  private readonly units: number;
  private readonly useBias: boolean;
  private kernel: tf.LayerVariable | undefined;
  private bias: tf.LayerVariable | undefined;

  constructor(args: UnfusedDenseArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new RangeError(`units must be a positive integer, got ${args.units}`);
    }
    this.units = args.units;
    this.useBias = args.useBias ?? true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputs = shape[shape.length - 1];
    if (shape.length !== 2 || inputs == null) {
      throw new Error(`UnfusedDense expects [batch, features] inputs, got [${shape.join(', ')}]`);
    }
    // tf.layers.dense's defaults and order: kernel (glorotNormal), then bias (zeros).
    this.kernel = this.addWeight(
      'kernel',
      [inputs, this.units],
      'float32',
      tf.initializers.glorotNormal({}),
    );
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x === undefined || this.kernel === undefined) {
        throw new Error('UnfusedDense called before it was built');
      }
      const kernel = this.kernel.read() as tf.Tensor2D;
      const bias = this.bias?.read() as tf.Tensor1D | undefined;
      const fused = nativeDense(x as tf.Tensor2D, kernel, bias);
      if (fused !== undefined) return fused;
      const product = tf.matMul(x, kernel);
      return bias === undefined ? product : tf.add(product, bias);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, useBias: this.useBias };
  }
}
tf.serialization.registerClass(UnfusedDense);
