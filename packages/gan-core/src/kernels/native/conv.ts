/**
 * Convolutions on the addon (oneDNN's direct convolutions where the addon is built against
 * libdnnl, else im2col + OpenBLAS sgemm, where a 1x1 stride-1 convolution reads the NHWC input as
 * its column matrix, no copy): Conv2D, FusedConv2D (with its bias and activation epilogue, applied
 * by the addon after the product), Conv2DBackpropInput and Conv2DBackpropFilter, NHWC float32;
 * the rest falls back to the kernel registered before.
 */
import {
  backend_util,
  util,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  FusedConv2D,
} from '@tensorflow/tfjs';
import type {
  Conv2DAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from '../kernel-utils.js';
import type { NativeAddon } from './addon.js';
import { activationCode, DEFAULT_LEAKYRELU_ALPHA, epilogue, supportsEpilogue } from './epilogue.js';
import type { EpilogueAttrs } from './epilogue.js';
import type { NativeKernel } from './kernel.js';

type Shape4 = [number, number, number, number];

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

function conv2dKernel(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as {
      x: TensorInfo;
      filter: TensorInfo;
      bias?: TensorInfo;
      preluActivationWeights?: TensorInfo;
    };
    const attrs = args.attrs as unknown as Conv2DAttrs & EpilogueAttrs;
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
    const xs = heapFloats(backend, x);
    const filters = heapFloats(backend, filter);
    const code = activationCode(attrs.activation) ?? 0;
    if (bias === undefined || util.sizeFromShape(bias.shape) === channels) {
      // Bias and activation applied by the addon after the product (on the im2col path block by
      // block, while still in cache).
      native.conv2d(
        xs,
        filters,
        y,
        geometry(info),
        bias === undefined ? null : heapFloats(backend, bias),
        code,
        attrs.leakyreluAlpha ?? DEFAULT_LEAKYRELU_ALPHA,
      );
    } else {
      native.conv2d(xs, filters, y, geometry(info)); // a scalar bias: a separate pass
      epilogue(native, backend, y, bias, attrs);
    }
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

/** The convolution kernels the addon serves. */
export const convKernels: NativeKernel[] = [
  { kernelName: Conv2D, create: (native, fallback) => conv2dKernel(native, fallback()) },
  { kernelName: FusedConv2D, create: (native, fallback) => conv2dKernel(native, fallback()) },
  {
    kernelName: Conv2DBackpropInput,
    create: (native, fallback) => conv2dBackpropInputKernel(native, fallback()),
  },
  {
    kernelName: Conv2DBackpropFilter,
    create: (native, fallback) => conv2dBackpropFilterKernel(native, fallback()),
  },
];
