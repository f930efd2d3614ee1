/**
 * Nearest-neighbour resizing by whole factors on the native addon (native/upsample.cc): the
 * avatar ResNet's UpSampling2D and the average pooling's gradient (models/pooling.ts), and their
 * gradients. Other resizes (a fraction, alignCorners, halfPixelCenters, non-float) fall back to
 * the stock wasm kernels.
 */
import { ResizeNearestNeighbor, ResizeNearestNeighborGrad } from '@tensorflow/tfjs';
import type {
  KernelFunc,
  ResizeNearestNeighborAttrs,
  ResizeNearestNeighborGradAttrs,
  TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from '../kernel-utils.js';
import type { NativeAddon } from './addon.js';
import type { NativeKernel } from './kernel.js';

/**
 * `[n, h, w, c, fh, fw]` when `small` (NHWC) is `large` shrunk by whole factors fh x fw and the
 * resize maps pixels as a whole-factor copy; undefined otherwise.
 */
function wholeFactors(
  small: TensorInfo,
  largeHeight: number,
  largeWidth: number,
  attrs: { alignCorners: boolean; halfPixelCenters: boolean },
): number[] | undefined {
  if (small.dtype !== 'float32' || small.shape.length !== 4) return undefined;
  if (attrs.alignCorners || attrs.halfPixelCenters) return undefined;
  const [n, h, w, c] = small.shape as [number, number, number, number];
  if (largeHeight % h !== 0 || largeWidth % w !== 0) return undefined;
  return [n, h, w, c, largeHeight / h, largeWidth / w];
}

function upsampleKernel(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { images } = args.inputs as { images: TensorInfo };
    const attrs = args.attrs as unknown as ResizeNearestNeighborAttrs;
    const [height, width] = attrs.size;
    const geometry = wholeFactors(images, height, width, attrs);
    if (geometry === undefined) return fallback(args);
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput([geometry[0]!, height, width, geometry[3]!], 'float32');
    // Views after makeOutput: allocating may grow (and move) the wasm heap.
    native.upsampleNearest(heapFloats(backend, images), heapFloats(backend, out), geometry);
    return out;
  };
}

function upsampleGradKernel(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as ResizeNearestNeighborGradAttrs;
    if (dy.dtype !== 'float32' || dy.shape.length !== 4) return fallback(args);
    const geometry = wholeFactors(images, dy.shape[1]!, dy.shape[2]!, attrs);
    if (geometry === undefined || dy.shape[0] !== geometry[0] || dy.shape[3] !== geometry[3])
      return fallback(args);
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(images.shape, 'float32');
    native.upsampleNearestGrad(heapFloats(backend, dy), heapFloats(backend, out), geometry);
    return out;
  };
}

export const upsampleKernels: NativeKernel[] = [
  {
    kernelName: ResizeNearestNeighbor,
    create: (native, fallback) => upsampleKernel(native, fallback()),
  },
  {
    kernelName: ResizeNearestNeighborGrad,
    create: (native, fallback) => upsampleGradKernel(native, fallback()),
  },
];
