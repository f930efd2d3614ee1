/**
 * Depthwise convolution on the addon, for inference: FusedDepthwiseConv2D (NHWC float32, channel
 * multiplier 1, any kernel size, stride, dilation and padding, with its bias and activation
 * applied in the same pass). Everything else (NCHW, a channel multiplier above 1, prelu, a bias
 * that is not one value per channel) falls back to the kernel registered before.
 *
 * Gradients stay TF.js's: `tf.fused.depthwiseConv2d` differentiates through the
 * DepthwiseConv2dNativeBackprop* kernels (and, while a gradient is recorded with a non-linear
 * activation, does not fuse at all), never through this forward kernel's internals. The unfused
 * DepthwiseConv2dNative is left to the wasm backend.
 */
import { backend_util, FusedDepthwiseConv2D } from '@tensorflow/tfjs';
import type { FusedDepthwiseConv2DAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from '../kernel-utils.js';
import type { NativeAddon } from './addon.js';
import { activationCode, DEFAULT_LEAKYRELU_ALPHA } from './epilogue.js';
import type { NativeKernel } from './kernel.js';

type Shape4 = [number, number, number, number];

/** The addon's 14-integer depthwise geometry, from TF.js's conv info. */
function geometry(info: backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
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

function fusedDepthwiseKernel(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as {
      x: TensorInfo;
      filter: TensorInfo;
      bias?: TensorInfo;
      preluActivationWeights?: TensorInfo;
    };
    const attrs = args.attrs as unknown as FusedDepthwiseConv2DAttrs;
    const code = activationCode(attrs.activation);
    const channels = x.shape[3];
    if (
      backend_util.convertConv2DDataFormat(attrs.dataFormat) !== 'channelsLast' ||
      x.dtype !== 'float32' ||
      filter.dtype !== 'float32' ||
      x.shape.length !== 4 ||
      filter.shape.length !== 4 ||
      filter.shape[3] !== 1 || // channel multiplier 1 only
      filter.shape[2] !== channels ||
      preluActivationWeights !== undefined ||
      code === undefined ||
      (bias !== undefined &&
        (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== channels))
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
      true,
    );
    const out = backend.makeOutput(info.outShape, 'float32');
    // Views are taken after makeOutput: allocating may grow (and move) the wasm heap.
    native.depthwiseConv2d(
      heapFloats(backend, x),
      heapFloats(backend, filter),
      bias === undefined ? null : heapFloats(backend, bias),
      heapFloats(backend, out),
      geometry(info),
      code,
      attrs.leakyreluAlpha ?? DEFAULT_LEAKYRELU_ALPHA,
    );
    return out;
  };
}

/** The depthwise convolution kernels the addon serves (forward, fused). */
export const depthwiseKernels: NativeKernel[] = [
  {
    kernelName: FusedDepthwiseConv2D,
    create: (native, fallback) => fusedDepthwiseKernel(native, fallback()),
  },
];
