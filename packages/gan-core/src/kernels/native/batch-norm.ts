/**
 * Batch normalization on the native addon (wasm backend): TF.js's FusedBatchNorm (inference, with
 * given statistics), and batch normalization in training mode as one kernel forward
 * (`GanmodBatchNormTrain`: batch mean, biased variance and the normalized output) and one
 * backward (`GanmodBatchNormTrainGrad`: dx, dscale and doffset together). `FastBatchNorm`
 * (src/models/fast-batch-norm.ts) uses the training kernels.
 *
 * Why: `tf.layers.batchNormalization` in training runs `tf.moments` + `tf.batchNorm` (+ reshapes),
 * and its gradient (FusedBatchNorm's, then moments') ~25 small kernels, each with TF.js's fixed
 * per-kernel cost (dispatch, a tape node, clones of what the gradient keeps). On an MLP GAN's
 * [128, 256..1024] activations that cost outweighs the arithmetic.
 *
 * Second-order gradients are not supported: differentiating `GanmodBatchNormTrainGrad` throws
 * {@link BatchNormSecondOrderError}. Batch norm is used by generators only; the gradient
 * penalties (R1, WGAN-GP) differentiate the discriminator, which has none.
 */
import {
  add,
  div,
  engine,
  FusedBatchNorm,
  mul,
  ones,
  registerGradient,
  sub,
  util,
} from '@tensorflow/tfjs';
import type { KernelFunc, NamedTensorMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { hasKernel, heapFloats } from '../kernel-utils.js';
import type { NativeAddon } from './addon.js';
import type { NativeKernel } from './kernel.js';

/** Kernel: inputs `{ x, scale?, offset? }`, attrs {@link BatchNormTrainAttrs}; outputs `[y, mean, variance]`. */
export const BATCH_NORM_TRAIN = 'GanmodBatchNormTrain';
/**
 * Kernel: inputs `{ dy, x, scale?, mean, variance }` (mean and variance: x's batch statistics),
 * attrs {@link BatchNormTrainAttrs}; outputs `[dx, dscale, doffset]`.
 */
export const BATCH_NORM_TRAIN_GRAD = 'GanmodBatchNormTrainGrad';

/** Attributes of both kernels. */
export interface BatchNormTrainAttrs {
  varianceEpsilon: number;
}

/** Thrown when a gradient of batch norm's gradient (a second-order gradient) is requested. */
export class BatchNormSecondOrderError extends Error {
  constructor() {
    super(
      `${BATCH_NORM_TRAIN_GRAD} has no gradient: second-order gradients through FastBatchNorm ` +
        'in training are not supported (use tf.layers.batchNormalization there)',
    );
    this.name = 'BatchNormSecondOrderError';
  }
}

type Inputs = Record<string, TensorInfo | undefined>;

/** The channel count (last axis) of x, checking that each per-channel tensor holds that many. */
function channelsOf(kernel: string, x: TensorInfo, perChannel: (TensorInfo | undefined)[]): number {
  const channels = x.shape[x.shape.length - 1] ?? 0;
  const fits = (t: TensorInfo | undefined): boolean =>
    t === undefined || (t.dtype === 'float32' && util.sizeFromShape(t.shape) === channels);
  if (x.dtype !== 'float32' || channels === 0 || !perChannel.every(fits)) {
    throw new Error(
      `${kernel}: needs float32 x of rank >= 1 and float32 per-channel tensors of ` +
        `${channels} values (the last axis of x)`,
    );
  }
  return channels;
}

/** Both kernels' outputs: one of x's shape, then two per-channel ones. */
function fullAndTwoPerChannel(
  backend: BackendWasm,
  shape: number[],
  channels: number,
): [TensorInfo, TensorInfo, TensorInfo] {
  return [
    backend.makeOutput(shape, 'float32'),
    backend.makeOutput([channels], 'float32'),
    backend.makeOutput([channels], 'float32'),
  ];
}

function batchNormTrainKernel(native: NativeAddon): KernelFunc {
  return (args) => {
    const { x, scale, offset } = args.inputs as Inputs & { x: TensorInfo };
    const channels = channelsOf(BATCH_NORM_TRAIN, x, [scale, offset]);
    const { varianceEpsilon } = args.attrs as unknown as BatchNormTrainAttrs;
    const backend = args.backend as BackendWasm;
    const outs = fullAndTwoPerChannel(backend, x.shape, channels);
    // Views are taken after every makeOutput: allocating may grow (and move) the wasm heap.
    const view = (t: TensorInfo | undefined): Float32Array | null =>
      t === undefined ? null : heapFloats(backend, t);
    native.batchNormTrain(
      heapFloats(backend, x),
      view(scale),
      view(offset),
      heapFloats(backend, outs[0]),
      heapFloats(backend, outs[1]),
      heapFloats(backend, outs[2]),
      varianceEpsilon,
    );
    return outs;
  };
}

function batchNormTrainGradKernel(native: NativeAddon): KernelFunc {
  return (args) => {
    const { dy, x, scale, mean, variance } = args.inputs as Inputs &
      Record<'dy' | 'x' | 'mean' | 'variance', TensorInfo>;
    const channels = channelsOf(BATCH_NORM_TRAIN_GRAD, x, [scale, mean, variance]);
    if (dy.dtype !== 'float32' || !util.arraysEqual(dy.shape, x.shape)) {
      throw new Error(`${BATCH_NORM_TRAIN_GRAD}: dy must be float32 of x's shape`);
    }
    const { varianceEpsilon } = args.attrs as unknown as BatchNormTrainAttrs;
    const backend = args.backend as BackendWasm;
    const outs = fullAndTwoPerChannel(backend, x.shape, channels);
    native.batchNormTrainGrad(
      heapFloats(backend, dy),
      heapFloats(backend, x),
      scale === undefined ? null : heapFloats(backend, scale),
      heapFloats(backend, mean),
      heapFloats(backend, variance),
      heapFloats(backend, outs[0]),
      heapFloats(backend, outs[1]),
      heapFloats(backend, outs[2]),
      varianceEpsilon,
    );
    return outs;
  };
}

/** FusedBatchNorm (inference: given mean and variance) over the last axis; the rest falls back. */
function batchNormKernel(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as Record<
      'x' | 'mean' | 'variance',
      TensorInfo
    > &
      Partial<Record<'offset' | 'scale', TensorInfo>>;
    const channels = x.shape[x.shape.length - 1] ?? 0;
    // Per-channel statistics over the last axis only; anything else goes to the stock kernel.
    const perChannel = (t: TensorInfo | undefined): boolean =>
      t === undefined ||
      (t.dtype === 'float32' && [channels, 1].includes(util.sizeFromShape(t.shape)));
    if (
      x.dtype !== 'float32' ||
      channels === 0 ||
      ![mean, variance, offset, scale].every(perChannel)
    ) {
      return fallback(args);
    }
    const { varianceEpsilon } = args.attrs as { varianceEpsilon: number };
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(x.shape, 'float32');
    native.batchNorm(
      heapFloats(backend, x),
      heapFloats(backend, mean),
      heapFloats(backend, variance),
      offset === undefined ? null : heapFloats(backend, offset),
      scale === undefined ? null : heapFloats(backend, scale),
      heapFloats(backend, out),
      varianceEpsilon,
    );
    return out;
  };
}

/** The batch norm kernels the addon serves: FusedBatchNorm and the two training kernels. */
export const batchNormKernels: NativeKernel[] = [
  {
    kernelName: FusedBatchNorm,
    create: (native, fallback) => batchNormKernel(native, fallback()),
  },
  { kernelName: BATCH_NORM_TRAIN, create: (native) => batchNormTrainKernel(native) },
  { kernelName: BATCH_NORM_TRAIN_GRAD, create: (native) => batchNormTrainGradKernel(native) },
];

/** True when some element of a (small, per-channel) tensor is not zero. */
function anyNonZero(t: Tensor): boolean {
  return (t.dataSync() as Float32Array).some((v) => v !== 0);
}

let gradientInstalled = false;

/**
 * Registers the gradients: GanmodBatchNormTrain's runs GanmodBatchNormTrainGrad once and hands out
 * dx, dscale and doffset (TF.js asks only for the inputs on the path to what is differentiated;
 * the others are disposed with the backward pass). Gradients arriving on the mean and variance
 * outputs are added exactly (TF.js passes zeros for outputs that do not reach the loss, the usual
 * case: the layer only feeds them to the moving averages, which are not differentiated).
 * GanmodBatchNormTrainGrad's own gradient throws {@link BatchNormSecondOrderError}. Idempotent.
 */
export function installBatchNormTrainGradient(): void {
  if (gradientInstalled) return;
  gradientInstalled = true;
  registerGradient({
    kernelName: BATCH_NORM_TRAIN,
    // The scale must be an input when recorded (see batchNormTrain): saving a missing input fails.
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy, dmean, dvariance] = dys as Tensor[];
      const [x, scale, mean, variance] = saved as [Tensor, Tensor, Tensor, Tensor];
      const [dxBatch, dscale, doffset] = engine().runKernel<Tensor[]>(
        BATCH_NORM_TRAIN_GRAD,
        { dy: dy!, x, scale, mean, variance },
        attrs,
      ) as [Tensor, Tensor, Tensor];
      let dx = dxBatch;
      // d mean / dx = 1 / N; d variance / dx = 2 (x - mean) / N (biased variance).
      const n = x.size / mean.size;
      if (dmean !== undefined && anyNonZero(dmean)) dx = add(dx, div(dmean, n));
      if (dvariance !== undefined && anyNonZero(dvariance)) {
        dx = add(dx, mul(dvariance, mul(sub(x, mean), 2 / n)));
      }
      return { x: () => dx, scale: () => dscale, offset: () => doffset };
    },
  });
  const refuse = (): Tensor => {
    throw new BatchNormSecondOrderError();
  };
  registerGradient({
    kernelName: BATCH_NORM_TRAIN_GRAD,
    gradFunc: () => ({ dy: refuse, x: refuse, scale: refuse, mean: refuse, variance: refuse }),
  });
}

/**
 * Batch norm in training over the last axis of `x` as one kernel where the native addon serves it
 * (wasm backend, float32): `[y, mean, variance]` with the batch mean and biased variance (as
 * `tf.moments`), `y = (x - mean) * scale / sqrt(variance + epsilon) + offset`. Else `undefined`
 * (callers use tf.moments + tf.batchNorm). A missing scale is passed as ones (the gradient keeps it).
 */
export function batchNormTrain(
  x: Tensor,
  scale: Tensor | undefined,
  offset: Tensor | undefined,
  varianceEpsilon: number,
): [Tensor, Tensor, Tensor] | undefined {
  const channels = x.shape[x.shape.length - 1] ?? 0;
  const perChannel = (t: Tensor | undefined): boolean =>
    t === undefined || (t.dtype === 'float32' && t.size === channels);
  if (
    !hasKernel(BATCH_NORM_TRAIN) ||
    x.dtype !== 'float32' ||
    channels === 0 ||
    x.size === 0 ||
    !perChannel(scale) ||
    !perChannel(offset)
  ) {
    return undefined;
  }
  installBatchNormTrainGradient();
  const inputs: NamedTensorMap = {
    x,
    scale: scale ?? ones([channels]),
  };
  if (offset !== undefined) inputs.offset = offset;
  const attrs: BatchNormTrainAttrs = { varianceEpsilon };
  return engine().runKernel<Tensor[]>(
    BATCH_NORM_TRAIN,
    inputs,
    attrs as unknown as Record<string, number>,
  ) as [Tensor, Tensor, Tensor];
}
