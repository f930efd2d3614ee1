/**
 * Native BLAS kernels for the wasm backend: Conv2D, FusedConv2D, Conv2DBackpropInput,
 * Conv2DBackpropFilter, BatchMatMul and _FusedMatMul computed by the optional addon
 * `dist/native/ganmod_kernels.node` (im2col + OpenBLAS sgemm, see native/ganmod_kernels.cc)
 * directly on the wasm heap, so no tensor is copied.
 *
 * Why: these kernels are ~80% of a conv GAN step, and single-threaded wasm SIMD (no FMA) runs
 * them several times slower than OpenBLAS's AVX2/FMA code on all cores. The elementwise kernels
 * the addon serves are in `native_elementwise.ts`. Where the addon was not built (no compiler or no OpenBLAS, see
 * scripts/build-native.mjs) or `GANMOD_NATIVE_KERNELS=0`, the project's wasm kernels serve.
 */
import { createRequire } from 'node:module';
import {
  backend_util,
  BatchMatMul,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  FusedConv2D,
  _FusedMatMul,
  util,
} from '@tensorflow/tfjs';
import type {
  Conv2DAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, WASM, wasmKernelFunc } from './kernel_utils.js';
import {
  BATCH_NORM_TRAIN,
  BATCH_NORM_TRAIN_GRAD,
  nativeBatchNormConfigs,
} from './native_batch_norm.js';
import { DENSE } from './native_dense.js';
import {
  DROPOUT_MASK,
  FUSED_ADAM,
  LEAKY_RELU_GRAD,
  nativeElementwiseConfigs,
} from './native_elementwise.js';

/** The addon's functions (arguments are Float32Array views of the wasm heap). */
export interface NativeAddon {
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, geometry: number[]): void;
  conv2dBackpropInput(
    dy: Float32Array,
    filter: Float32Array,
    dx: Float32Array,
    geometry: number[],
  ): void;
  conv2dBackpropFilter(
    x: Float32Array,
    dy: Float32Array,
    dw: Float32Array,
    geometry: number[],
  ): void;
  matMul(a: Float32Array, b: Float32Array, c: Float32Array, geometry: number[]): void;
  adam(
    value: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    outValue: Float32Array,
    outM: Float32Array,
    outV: Float32Array,
    constants: Float32Array,
  ): void;
  leakyRelu(x: Float32Array, y: Float32Array, alpha: number): void;
  tanh(x: Float32Array, y: Float32Array): void;
  leakyReluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, alpha: number): void;
  sumRows(x: Float32Array, out: Float32Array, rows: number, scale: number): void;
  dropoutMask(out: Float32Array, seed: number, keepProb: number): void;
  batchNorm(
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
    out: Float32Array,
    epsilon: number,
  ): void;
  /** Batch norm in training over the last axis: writes y and the batch mean and variance. */
  batchNormTrain(
    x: Float32Array,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    epsilon: number,
  ): void;
  /** batchNormTrain's gradient: writes dx, dgamma and dbeta. */
  batchNormTrainGrad(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array | null,
    mean: Float32Array,
    variance: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    epsilon: number,
  ): void;
  /** Bias over the last axis, then activation code 0..5 (see {@link ACTIVATION_CODES}). */
  biasActivation(
    out: Float32Array,
    bias: Float32Array | null,
    activation: number,
    alpha: number,
  ): void;
  /** Sets OpenBLAS's thread count (process-wide); returns the count now in use. */
  setThreads(threads: number): number;
  getThreads(): number;
}

/** Environment variable: `0` keeps the native kernels off even where the addon loads. */
export const NATIVE_KERNELS_ENV = 'GANMOD_NATIVE_KERNELS';

/** Names of the kernels the addon serves when it loads. */
export const NATIVE_KERNEL_NAMES = [
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'BatchMatMul',
  '_FusedMatMul',
  'LeakyRelu',
  'Tanh',
  'FusedBatchNorm',
  'Sum',
  'Mean',
  LEAKY_RELU_GRAD,
  FUSED_ADAM,
  DROPOUT_MASK,
  DENSE,
  BATCH_NORM_TRAIN,
  BATCH_NORM_TRAIN_GRAD,
] as const;

let addon: { module?: NativeAddon; error?: string } | undefined;

/**
 * Loads the addon once. Returns it, or the reason it is unavailable (not built, not loadable on
 * this machine, or disabled through {@link NATIVE_KERNELS_ENV}).
 */
export function loadNativeAddon(env: Record<string, string | undefined> = process.env): {
  module?: NativeAddon;
  error?: string;
} {
  if (env[NATIVE_KERNELS_ENV] === '0') return { error: `${NATIVE_KERNELS_ENV}=0` };
  if (addon === undefined) {
    try {
      const require = createRequire(import.meta.url);
      // From src/kernels (tests) and dist/kernels alike.
      addon = { module: require('../../dist/native/ganmod_kernels.node') as NativeAddon };
    } catch (error) {
      const text = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      addon = { error: `native kernels unavailable (${text})` };
    }
  }
  return addon;
}

type Shape4 = [number, number, number, number];
type Activation = backend_util.Activation;

/** The addon's 15-integer convolution geometry, from TF.js's conv info. */
function geometry(info: backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
    info.dilationHeight,
    info.dilationWidth,
  ];
}

const isNhwc = (dataFormat: string): boolean =>
  backend_util.convertConv2DDataFormat(dataFormat as 'NHWC' | 'NCHW') === 'channelsLast';

/** TF.js's default slope of a fused op's `leakyrelu` activation. */
const DEFAULT_LEAKYRELU_ALPHA = 0.2;

/** The addon's activation codes; `prelu` is left to the fallback kernel. */
const ACTIVATION_CODES: Partial<Record<Activation, number>> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  elu: 3,
  leakyrelu: 4,
  sigmoid: 5,
};

/** True when a fused op's extras (bias over the channel axis, a simple activation) are ours. */
function supportsEpilogue(
  bias: TensorInfo | undefined,
  prelu: TensorInfo | undefined,
  activation: Activation | undefined,
  channels: number,
): boolean {
  if (prelu !== undefined) return false;
  if (activation !== undefined && ACTIVATION_CODES[activation] === undefined) return false;
  if (bias === undefined) return true;
  const size = util.sizeFromShape(bias.shape);
  return bias.dtype === 'float32' && (size === channels || size === 1);
}

/** Adds the bias along the last axis and applies the activation, in place, in the addon. */
function epilogue(
  native: NativeAddon,
  backend: BackendWasm,
  out: Float32Array,
  bias: TensorInfo | undefined,
  activation: Activation | undefined,
  alpha: number,
): void {
  const code = activation === undefined ? 0 : (ACTIVATION_CODES[activation] ?? 0);
  if (bias === undefined && code === 0) return;
  native.biasActivation(out, bias === undefined ? null : heapFloats(backend, bias), code, alpha);
}

function conv2dKernel(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as {
      x: TensorInfo;
      filter: TensorInfo;
      bias?: TensorInfo;
      preluActivationWeights?: TensorInfo;
    };
    const attrs = args.attrs as unknown as Conv2DAttrs & {
      activation?: Activation;
      leakyreluAlpha?: number;
    };
    const channels = filter.shape[3]!;
    if (
      !isNhwc(attrs.dataFormat) ||
      x.dtype !== 'float32' ||
      filter.dtype !== 'float32' ||
      !supportsEpilogue(bias, preluActivationWeights, attrs.activation, channels)
    ) {
      return fallback(args);
    }
    const backend = args.backend as BackendWasm;
    const info = backend_util.computeConv2DInfo(
      x.shape as Shape4,
      filter.shape as Shape4,
      attrs.strides,
      attrs.dilations,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const out = backend.makeOutput(info.outShape, 'float32');
    // Views are taken after makeOutput: allocating may grow (and move) the wasm heap.
    const y = heapFloats(backend, out);
    native.conv2d(heapFloats(backend, x), heapFloats(backend, filter), y, geometry(info));
    epilogue(
      native,
      backend,
      y,
      bias,
      attrs.activation,
      attrs.leakyreluAlpha ?? DEFAULT_LEAKYRELU_ALPHA,
    );
    return out;
  };
}

/**
 * A convolution gradient kernel: both take two tensors and the forward convolution's attributes
 * (strides, pad, ...), and produce a tensor of a shape the attributes name.
 */
function convGradientKernel(
  fallback: KernelFunc,
  /** The two inputs in the addon's argument order, and the forward conv's x and filter shapes. */
  operands: (args: Parameters<KernelFunc>[0]) => {
    first: TensorInfo;
    second: TensorInfo;
    xShape: Shape4;
    filterShape: Shape4;
    outShape: number[];
  },
  compute: (first: Float32Array, second: Float32Array, out: Float32Array, g: number[]) => void,
): KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    const { first, second, xShape, filterShape, outShape } = operands(args);
    if (!isNhwc(attrs.dataFormat) || first.dtype !== 'float32') return fallback(args);
    const backend = args.backend as BackendWasm;
    const info = backend_util.computeConv2DInfo(
      xShape,
      filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const out = backend.makeOutput(outShape, 'float32');
    const result = heapFloats(backend, out);
    compute(heapFloats(backend, first), heapFloats(backend, second), result, geometry(info));
    return out;
  };
}

function conv2dBackpropInputKernel(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return convGradientKernel(
    fallback,
    (args) => {
      const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
      const { inputShape } = args.attrs as unknown as Conv2DBackpropInputAttrs;
      return {
        first: dy,
        second: filter,
        xShape: inputShape,
        filterShape: filter.shape as Shape4,
        outShape: inputShape,
      };
    },
    (dy, filter, dx, g) => native.conv2dBackpropInput(dy, filter, dx, g),
  );
}

function conv2dBackpropFilterKernel(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return convGradientKernel(
    fallback,
    (args) => {
      const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
      const { filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
      return {
        first: x,
        second: dy,
        xShape: x.shape as Shape4,
        filterShape,
        outShape: filterShape,
      };
    },
    (x, dy, dw, g) => native.conv2dBackpropFilter(x, dy, dw, g),
  );
}

function matMulKernel(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as {
      a: TensorInfo;
      b: TensorInfo;
      bias?: TensorInfo;
      preluActivationWeights?: TensorInfo;
    };
    const attrs = args.attrs as {
      transposeA: boolean;
      transposeB: boolean;
      activation?: Activation;
      leakyreluAlpha?: number;
    };
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = attrs.transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const k = attrs.transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const n = attrs.transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    const kb = attrs.transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const batchShapeA = a.shape.slice(0, -2);
    const batchShapeB = b.shape.slice(0, -2);
    const batchA = util.sizeFromShape(batchShapeA);
    const batchB = util.sizeFromShape(batchShapeB);
    // Equal batch shapes, or one side a single matrix; other broadcasts go to the fallback.
    const batchShape =
      util.arraysEqual(batchShapeA, batchShapeB) || batchB === 1
        ? batchShapeA
        : batchA === 1
          ? batchShapeB
          : undefined;
    if (
      batchShape === undefined ||
      k !== kb ||
      a.dtype !== 'float32' ||
      b.dtype !== 'float32' ||
      m * n * k === 0 ||
      !supportsEpilogue(bias, preluActivationWeights, attrs.activation, n)
    ) {
      return fallback(args);
    }
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput([...batchShape, m, n], 'float32');
    const c = heapFloats(backend, out);
    const batch = Math.max(batchA, batchB);
    native.matMul(heapFloats(backend, a), heapFloats(backend, b), c, [
      batch,
      m,
      n,
      k,
      attrs.transposeA ? 1 : 0,
      attrs.transposeB ? 1 : 0,
      batchA,
      batchB,
    ]);
    epilogue(
      native,
      backend,
      c,
      bias,
      attrs.activation,
      attrs.leakyreluAlpha ?? DEFAULT_LEAKYRELU_ALPHA,
    );
    return out;
  };
}

/**
 * Registry entries serving {@link NATIVE_KERNEL_NAMES} from the addon (see also
 * `native_elementwise.ts`). Each falls back to the
 * kernel registered before it (the project's wasm kernel or the stock one) for what the addon
 * does not cover (NCHW, prelu, odd broadcasts, non-float inputs).
 */
export function nativeKernelConfigs(native: NativeAddon): KernelConfig[] {
  return [
    {
      kernelName: Conv2D,
      backendName: WASM,
      kernelFunc: conv2dKernel(native, wasmKernelFunc(Conv2D)),
    },
    {
      kernelName: FusedConv2D,
      backendName: WASM,
      kernelFunc: conv2dKernel(native, wasmKernelFunc(FusedConv2D)),
    },
    {
      kernelName: Conv2DBackpropInput,
      backendName: WASM,
      kernelFunc: conv2dBackpropInputKernel(native, wasmKernelFunc(Conv2DBackpropInput)),
    },
    {
      kernelName: Conv2DBackpropFilter,
      backendName: WASM,
      kernelFunc: conv2dBackpropFilterKernel(native, wasmKernelFunc(Conv2DBackpropFilter)),
    },
    {
      kernelName: BatchMatMul,
      backendName: WASM,
      kernelFunc: matMulKernel(native, wasmKernelFunc(BatchMatMul)),
    },
    {
      kernelName: _FusedMatMul,
      backendName: WASM,
      kernelFunc: matMulKernel(native, wasmKernelFunc(_FusedMatMul)),
    },
    {
      kernelName: DENSE,
      backendName: WASM,
      kernelFunc: matMulKernel(native, () => {
        throw new Error(`${DENSE}: only float32 matrices with a matching bias are supported`);
      }),
    },
    ...nativeElementwiseConfigs(native, wasmKernelFunc),
    ...nativeBatchNormConfigs(native),
  ];
}
