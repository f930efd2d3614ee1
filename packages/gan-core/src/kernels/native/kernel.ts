/** The shape of one native kernel: a TF.js kernel name and how to build its function. */
import type { KernelFunc } from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.js';

/**
 * A kernel served by the native addon on the wasm backend. The registry (registry.ts) lists
 * these and derives both the kernel names and the registry entries from them.
 */
export interface NativeKernel {
  /** TF.js's kernel name (a stock one, or one of the project's `Ganmod*` kernels). */
  readonly kernelName: string;
  /**
   * Builds the kernel function on `native`. `fallback()` looks up the kernel registered for this
   * name before (the project's wasm kernel or the stock one), for what the addon does not cover
   * (NCHW, prelu, odd broadcasts, non-float inputs); kernels with no stock version ignore it.
   */
  create(native: NativeAddon, fallback: () => KernelFunc): KernelFunc;
}
