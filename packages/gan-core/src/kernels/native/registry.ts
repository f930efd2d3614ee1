/**
 * The native kernels, one list for all families: the kernel names and the registry entries are
 * both derived from it, so a kernel added to a family's list is registered and named at once.
 */
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { WASM } from '../kernel-utils.js';
import { adamKernels } from './adam.js';
import type { NativeAddon } from './addon.js';
import { batchNormKernels } from './batch-norm.js';
import { convKernels } from './conv.js';
import { denseKernels } from './dense.js';
import { depthwiseKernels } from './depthwise.js';
import { dropoutKernels } from './dropout.js';
import { elementwiseKernels } from './elementwise.js';
import type { NativeKernel } from './kernel.js';
import { matMulKernels } from './matmul.js';
import { upsampleKernels } from './upsample.js';

/** Every kernel the addon serves, by family. */
const NATIVE_KERNELS: readonly NativeKernel[] = [
  ...convKernels,
  ...depthwiseKernels,
  ...matMulKernels,
  ...denseKernels,
  ...elementwiseKernels,
  ...batchNormKernels,
  ...adamKernels,
  ...dropoutKernels,
  ...upsampleKernels,
];

/** Names of the kernels the addon serves when it loads. */
export const NATIVE_KERNEL_NAMES: readonly string[] = NATIVE_KERNELS.map((k) => k.kernelName);

/**
 * Registry entries serving {@link NATIVE_KERNEL_NAMES} from the addon. Each falls back to the
 * kernel `fallback(name)` gives (the one registered before it: the project's wasm kernel or the
 * stock one) for what the addon does not cover (NCHW, prelu, odd broadcasts, non-float inputs).
 */
export function nativeKernelConfigs(
  native: NativeAddon,
  fallback: (kernelName: string) => KernelFunc,
): KernelConfig[] {
  return NATIVE_KERNELS.map((kernel) => ({
    kernelName: kernel.kernelName,
    backendName: WASM,
    kernelFunc: kernel.create(native, () => fallback(kernel.kernelName)),
  }));
}
