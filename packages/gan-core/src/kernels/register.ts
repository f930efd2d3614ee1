/**
 * Registers the project's wasm kernels with TF.js's kernel registry: adds the missing ones and
 * replaces slow stock ones (unregister + register). Safe to call more than once.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { batchMatMulConfig, fusedMatMulConfig } from './batch_matmul.js';
import { conv2dBackpropFilterConfig } from './conv2d_backprop_filter.js';
import { conv2dBackpropInputConfig } from './conv2d_backprop_input.js';
import { WASM, wasmKernelFunc } from './kernel_utils.js';
import { identityConfig } from './identity_shared.js';
import { meanConfig, sumConfig } from './reduce_leading.js';
import { tileConfig } from './tile_repeat.js';

/** Names of the kernels {@link registerWasmKernels} installs for the wasm backend. */
export const WASM_KERNEL_NAMES = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'BatchMatMul',
  '_FusedMatMul',
  'Sum',
  'Mean',
  'Tile',
  'Identity',
] as const;

let installed: KernelConfig[] | undefined;
/** Stock configs replaced by ours, to put back in {@link restoreStockWasmKernels}. */
const stock = new Map<string, KernelConfig>();

function replace(config: KernelConfig): void {
  const previous = getKernel(config.kernelName, config.backendName);
  if (previous !== undefined) {
    if (!stock.has(config.kernelName)) stock.set(config.kernelName, previous);
    unregisterKernel(config.kernelName, config.backendName);
  }
  registerKernel(config);
}

/**
 * Installs the project's kernels for the `wasm` backend. The stock wasm kernels must already be
 * registered (import `@tensorflow/tfjs-backend-wasm` first). Idempotent.
 * @returns the names of the kernels now served by the project's implementations.
 */
export function registerWasmKernels(): readonly string[] {
  if (installed === undefined) {
    // Capture the stock kernels before replacing them: the wrappers call into them.
    installed = [
      conv2dBackpropFilterConfig,
      conv2dBackpropInputConfig,
      batchMatMulConfig(wasmKernelFunc('BatchMatMul')),
      fusedMatMulConfig(wasmKernelFunc('_FusedMatMul')),
      sumConfig(wasmKernelFunc('Sum')),
      meanConfig(wasmKernelFunc('Mean')),
      tileConfig(wasmKernelFunc('Tile')),
      identityConfig(wasmKernelFunc('Identity')),
    ];
  }
  for (const config of installed) {
    if (getKernel(config.kernelName, WASM) !== config) replace(config);
  }
  return installed.map((c) => c.kernelName);
}

/**
 * Puts the stock wasm kernels back for `names` (default: all of ours); kernels that have no
 * stock version are removed. For measuring the kernels' effect; training a conv net needs them.
 */
export function restoreStockWasmKernels(names: readonly string[] = WASM_KERNEL_NAMES): void {
  for (const name of names) {
    const ours = installed?.find((c) => c.kernelName === name);
    if (ours === undefined || getKernel(name, WASM) !== ours) continue;
    unregisterKernel(name, WASM);
    const original = stock.get(name);
    if (original !== undefined) registerKernel(original);
  }
}
