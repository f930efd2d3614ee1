/**
 * A 2-D convolution layer (conv(x, W) + b) on TF.js's unfused ops, for discriminators.
 *
 * Why: `tf.layers.conv2d` runs `fused.conv2d`, whose custom gradient computes the gradients of all
 * its inputs eagerly: both Conv2DBackpropInput (d/dx) and Conv2DBackpropFilter (d/dW). In a GAN
 * step that wastes work twice: the G update computes D's kernel gradients it never uses, and the
 * D update computes the input gradient of D's first convolution (d/dimage). `conv2d` and `add`
 * have per-input gradients that TF.js evaluates only for inputs on the path to the variables being
 * trained.
 *
 * Same weights as `tf.layers.conv2d` (kernel [kernelH, kernelW, inChannels, filters], then bias
 * [filters]), drawn by the same initializers (glorotNormal kernel, zeros bias) in the same order,
 * and the same values: checkpoints, which restore weights by position, are interchangeable.
 * Channels-last inputs only, no dilation and no built-in activation (apply one as its own layer).
 * Generators keep `tf.layers.conv2dTranspose` (exported for the browser).
 */
import * as tf from '@tensorflow/tfjs';

/** Options of {@link UnfusedConv2D}; the names and defaults are `tf.layers.conv2d`'s. */
export interface UnfusedConv2DArgs {
  /** Output channels. */
  filters: number;
  /** Kernel height and width (one number: square). */
  kernelSize: number | [number, number];
  /** Strides along height and width (default 1). */
  strides?: number | [number, number];
  /** 'valid' (default) or 'same', as in `tf.conv2d`. */
  padding?: 'valid' | 'same';
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Input shape without the batch (only on a model's first layer, as for `tf.layers`). */
  inputShape?: tf.Shape;
  /** Input shape with the batch (what a serialized first layer carries). */
  batchInputShape?: tf.Shape;
  name?: string;
}

/** A number or a pair, as a checked pair of positive integers. */
function pair(value: number | readonly number[], what: string): [number, number] {
  const values = typeof value === 'number' ? [value, value] : [...value];
  if (values.length !== 2 || values.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new RangeError(
      `${what} must be a positive integer or a pair of them, got ${JSON.stringify(value)}`,
    );
  }
  return values as [number, number];
}

/** Output length of one spatial dimension (TF's 'same' and 'valid' rules). */
function outputLength(
  length: number | null,
  kernel: number,
  stride: number,
  padding: 'valid' | 'same',
): number | null {
  if (length == null) return null;
  return Math.ceil((padding === 'same' ? length : length - kernel + 1) / stride);
}

/**
 * `tf.layers.conv2d` (channels-last, no dilation, linear) on `tf.conv2d` + `tf.add`, whose
 * gradients are computed per input and only when needed. Input `[batch, h, w, c]`, output
 * `[batch, h', w', filters]`; weights `kernel` `[kh, kw, c, filters]` then `bias` `[filters]`.
 */
export class UnfusedConv2D extends tf.layers.Layer {
  static readonly className = 'GanmodUnfusedConv2D';
  private readonly filters: number;
  private readonly kernelSize: [number, number];
  private readonly strides: [number, number];
  private readonly padding: 'valid' | 'same';
  private readonly useBias: boolean;
  private kernel: tf.LayerVariable | undefined;
  private bias: tf.LayerVariable | undefined;

  constructor(args: UnfusedConv2DArgs) {
    super({
      ...(args.name === undefined ? {} : { name: args.name }),
      ...(args.inputShape === undefined ? {} : { inputShape: args.inputShape }),
      ...(args.batchInputShape === undefined ? {} : { batchInputShape: args.batchInputShape }),
    });
    if (!Number.isInteger(args.filters) || args.filters < 1) {
      throw new RangeError(`filters must be a positive integer, got ${args.filters}`);
    }
    const padding = args.padding ?? 'valid';
    if (padding !== 'valid' && padding !== 'same') {
      throw new RangeError(`padding must be 'valid' or 'same', got '${String(padding)}'`);
    }
    this.filters = args.filters;
    this.kernelSize = pair(args.kernelSize, 'kernelSize');
    this.strides = pair(args.strides ?? 1, 'strides');
    this.padding = padding;
    this.useBias = args.useBias ?? true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (shape.length !== 4 || channels == null) {
      throw new Error(
        `UnfusedConv2D expects [batch, height, width, channels] inputs, got [${shape.join(', ')}]`,
      );
    }
    // tf.layers.conv2d's defaults and order: kernel (glorotNormal), then bias (zeros).
    this.kernel = this.addWeight(
      'kernel',
      [...this.kernelSize, channels, this.filters],
      'float32',
      tf.initializers.glorotNormal({}),
    );
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const [kh, kw] = this.kernelSize;
    const [sh, sw] = this.strides;
    return [
      shape[0] ?? null,
      outputLength(shape[1] ?? null, kh, sh, this.padding),
      outputLength(shape[2] ?? null, kw, sw, this.padding),
      this.filters,
    ];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x === undefined || this.kernel === undefined) {
        throw new Error('UnfusedConv2D called before it was built');
      }
      const conv = tf.conv2d(
        x as tf.Tensor4D,
        this.kernel.read() as tf.Tensor4D,
        this.strides,
        this.padding,
      );
      return this.bias === undefined ? conv : tf.add(conv, this.bias.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      useBias: this.useBias,
    };
  }
}
tf.serialization.registerClass(UnfusedConv2D);
