/**
 * Spectral normalisation (Miyato et al. 2018) for the discriminator's convolutions and dense
 * layers: the layer computes with W / sigma(W), where sigma is W's largest singular value estimated
 * by power iteration.
 *
 * As in PyTorch's `spectral_norm`, each layer keeps two persistent vectors, `u` (one entry per
 * output unit) and `v` (one per input of a unit: kh*kw*cin for a conv). They are non-trainable
 * layer weights, so checkpoints store and restore them with the other weights and a resumed run
 * continues the same iteration. {@link powerIterate} advances every layer of a model by one
 * iteration (the trainer calls it once before each D update); the forward pass only reads u and v:
 * sigma = u^T W v, differentiated through W alone.
 *
 * The layers reuse the fast conv/dense paths ({@link FastConv2D}, {@link FastDense}); they are D-only
 * and not registered for serialization (generators, which are exported, do not use them).
 */
import * as tf from '@tensorflow/tfjs';

import { FastConv2D, type Conv2DArgs } from './fast-conv2d.js';
import { FastDense, type DenseArgs } from './fast-dense.js';
import { singleInput } from './stock-layer-class.js';

/** `LayerVariable.write`, missing from its public typings. */
type WritableVariable = tf.LayerVariable & { write(value: tf.Tensor): tf.LayerVariable };

/** PyTorch's `F.normalize` epsilon: keeps a zero vector finite. */
const NORM_EPSILON = 1e-12;

function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.norm(x), NORM_EPSILON));
}

/** A kernel as the matrix whose largest singular value is normalised: `[inputs of a unit, units]`. */
function kernelMatrix(kernel: tf.Tensor): tf.Tensor2D {
  const units = kernel.shape[kernel.rank - 1] as number;
  return tf.reshape(kernel, [-1, units]);
}

/** The persistent vectors of one layer's power iteration. */
class PowerIterationVectors {
  constructor(
    /** `[1, units]` */
    readonly u: tf.LayerVariable,
    /** `[1, inputs of a unit]` */
    readonly v: tf.LayerVariable,
  ) {
    // Start on the unit sphere, as PyTorch does, so sigma is a sensible estimate before step one.
    tf.tidy(() => {
      (u as WritableVariable).write(l2Normalize(u.read() as tf.Tensor2D));
      (v as WritableVariable).write(l2Normalize(v.read() as tf.Tensor2D));
    });
  }

  /** One iteration on `w` `[k, units]`: v = normalize(W u), u = normalize(W^T v) (in W^T's terms, PyTorch's). */
  iterate(w: tf.Tensor2D): void {
    tf.tidy(() => {
      const v = l2Normalize(tf.matMul(this.u.read(), w, false, true));
      const u = l2Normalize(tf.matMul(v, w));
      (this.v as WritableVariable).write(v);
      (this.u as WritableVariable).write(u);
    });
  }

  /** The estimate v^T W u of the largest singular value; differentiable in `w` only. */
  sigma(w: tf.Tensor2D): tf.Scalar {
    return tf.sum(tf.mul(tf.matMul(this.v.read() as tf.Tensor2D, w), this.u.read()));
  }
}

/** A layer whose kernel is spectrally normalised. */
export interface SpectralNormLayer {
  /** Advances the power iteration by one step (outside any gradient tape). */
  powerIterate(): void;
  /** The current estimate of the kernel's largest singular value. */
  sigma(): number;
}

function isSpectralNormLayer(layer: tf.layers.Layer): layer is tf.layers.Layer & SpectralNormLayer {
  return layer instanceof SpectralNormConv2D || layer instanceof SpectralNormDense;
}

/** `Layer.addWeight` as the layers hand it over (it is protected). */
type AddWeight = (name: string, size: number) => tf.LayerVariable;

/** What both layers delegate to: the vectors, built with the kernel, and the maths on them. */
class SpectralNorm {
  private vectors: PowerIterationVectors | null = null;

  constructor(private readonly layer: tf.layers.Layer) {}

  /** Adds u and v (non-trainable weights, so checkpoints carry them) once the kernel exists. */
  build(add: AddWeight): void {
    const kernel = this.kernel();
    const units = kernel.shape.at(-1) ?? 0;
    const inputs = kernel.shape.reduce<number>((a, b) => a * (b ?? 0), 1) / units;
    this.vectors = new PowerIterationVectors(add('sn_u', units), add('sn_v', inputs));
    // One iteration at once: a D applied before its first update already has a sensible sigma.
    this.powerIterate();
  }

  /** `kernel / sigma`, inside the caller's tape. */
  normalised<T extends tf.Tensor>(kernel: T): T {
    return tf.div(kernel, this.built().sigma(kernelMatrix(kernel)));
  }

  /** Refuses inputs the stock layer would handle: it does not normalise. */
  checkFastPath(takesFastPath: boolean): void {
    if (!takesFastPath)
      throw new Error(
        `${this.layer.name}: spectral normalisation runs on the fast path only (float32, channels-last, undilated)`,
      );
  }

  powerIterate(): void {
    tf.tidy(() => this.built().iterate(kernelMatrix(this.kernel().read())));
  }

  sigma(): number {
    return tf.tidy(() => this.built().sigma(kernelMatrix(this.kernel().read())).arraySync());
  }

  private kernel(): tf.LayerVariable {
    // The stock layer's kernel variable (not in tfjs-layers' public typings).
    const kernel = (this.layer as unknown as { kernel: tf.LayerVariable | null }).kernel;
    if (kernel === null) throw new Error(`${this.layer.name} has no kernel yet`);
    return kernel;
  }

  private built(): PowerIterationVectors {
    if (this.vectors === null) throw new Error(`${this.layer.name} is not built yet`);
    return this.vectors;
  }
}

/** u and v start as normal draws (normalised at once), like PyTorch's. */
const vectorInitializer = (): ReturnType<typeof tf.initializers.randomNormal> =>
  tf.initializers.randomNormal({});

/** Conv2D with a spectrally normalised kernel (same arguments as `tf.layers.conv2d`). */
export class SpectralNormConv2D extends FastConv2D implements SpectralNormLayer {
  static className = 'GanmodSpectralNormConv2D';
  private readonly sn = new SpectralNorm(this);

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    super.build(inputShape);
    this.sn.build((name, size) =>
      this.addWeight(name, [1, size], 'float32', vectorInitializer(), undefined, false),
    );
  }

  protected override kernelValue(kernel: tf.Tensor4D): tf.Tensor4D {
    return this.sn.normalised(kernel);
  }

  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: tf.serialization.ConfigDict,
  ): tf.Tensor | tf.Tensor[] {
    this.sn.checkFastPath(this.takesFastPath(singleInput(inputs)));
    return super.call(inputs, kwargs);
  }

  powerIterate(): void {
    this.sn.powerIterate();
  }

  sigma(): number {
    return this.sn.sigma();
  }
}

/** Dense with a spectrally normalised kernel (same arguments as `tf.layers.dense`). */
export class SpectralNormDense extends FastDense implements SpectralNormLayer {
  static className = 'GanmodSpectralNormDense';
  private readonly sn = new SpectralNorm(this);

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    super.build(inputShape);
    this.sn.build((name, size) =>
      this.addWeight(name, [1, size], 'float32', vectorInitializer(), undefined, false),
    );
  }

  protected override kernelValue(kernel: tf.Tensor2D): tf.Tensor2D {
    return this.sn.normalised(kernel);
  }

  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: tf.serialization.ConfigDict,
  ): tf.Tensor | tf.Tensor[] {
    this.sn.checkFastPath(this.takesFastPath(singleInput(inputs)));
    return super.call(inputs, kwargs);
  }

  powerIterate(): void {
    this.sn.powerIterate();
  }

  sigma(): number {
    return this.sn.sigma();
  }
}

/** A spectrally normalised `tf.layers.conv2d`. */
export function snConv2d(args: Conv2DArgs): SpectralNormConv2D {
  return new SpectralNormConv2D(args);
}

/** A spectrally normalised `tf.layers.dense`. */
export function snDense(args: DenseArgs): SpectralNormDense {
  return new SpectralNormDense(args);
}

/** The spectrally normalised layers of `model`, in layer order. */
export function spectralNormLayers(model: tf.LayersModel): SpectralNormLayer[] {
  return model.layers.filter(isSpectralNormLayer);
}

/**
 * One power iteration on every spectrally normalised layer of `model`: what a training step calls
 * before updating it. A no-op for models without such layers.
 */
export function powerIterate(model: tf.LayersModel): void {
  for (const layer of spectralNormLayers(model)) layer.powerIterate();
}
