/**
 * Registers the project's wasm kernels with TF.js's kernel registry: adds the missing ones and
 * replaces slow stock ones (unregister + register). Safe to call more than once.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { batchMatMulConfig, fusedMatMulConfig } from './batch-matmul.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { WASM, wasmKernelFunc } from './kernel-utils.js';
import { identityConfig, installFastSavedTensorClones } from './identity-shared.js';
import { loadNativeAddon } from './native/addon.js';
import { installLeakyReluGradient } from './native/elementwise.js';
import { NATIVE_KERNEL_NAMES, nativeKernelConfigs } from './native/registry.js';
import { meanConfig, sumConfig } from './reduce-leading.js';
import { tileConfig } from './tile-repeat.js';

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
let nativeInstalled: KernelConfig[] | undefined;
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

/** Options of {@link registerWasmKernels}. */
export interface RegisterWasmKernelsOptions {
  /**
   * Serve convolutions and matrix products from the native OpenBLAS addon when it loads
   * (default true; `GANMOD_NATIVE_KERNELS=0` also turns it off). `false` puts the project's
   * wasm kernels back in their place.
   */
  native?: boolean;
}

/** What {@link registerWasmKernels} installed. */
export interface WasmKernelsInfo {
  /** Kernels now served by the project's implementations (wasm or native). */
  names: readonly string[];
  /** Whether the native addon serves {@link NATIVE_KERNEL_NAMES}. */
  native: boolean;
  /** Why the native kernels are off, when they are. */
  nativeReason?: string;
}

/**
 * Installs the project's kernels for the `wasm` backend, with the native addon's kernels on top
 * where it loads. The stock wasm kernels must already be registered (import
 * `@tensorflow/tfjs-backend-wasm` first). Idempotent.
 */
export function registerWasmKernels(options: RegisterWasmKernelsOptions = {}): WasmKernelsInfo {
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
  const addon = options.native === false ? { error: 'disabled by option' } : loadNativeAddon();
  // Our wasm kernels first: the native ones fall back to them (NCHW, prelu, ...).
  const wanted = new Map(installed.map((c) => [c.kernelName, c]));
  if (addon.module !== undefined) {
    for (const config of wanted.values()) {
      if (getKernel(config.kernelName, WASM) !== config && !isNative(config.kernelName)) {
        replace(config);
      }
    }
    nativeInstalled ??= nativeKernelConfigs(addon.module, wasmKernelFunc);
    installLeakyReluGradient();
    for (const config of nativeInstalled) wanted.set(config.kernelName, config);
  }
  for (const config of wanted.values()) {
    if (getKernel(config.kernelName, WASM) !== config) replace(config);
  }
  installFastSavedTensorClones();
  if (addon.module === undefined) {
    // Native kernels of an earlier call that serve no project kernel go back to stock.
    for (const name of NATIVE_KERNEL_NAMES) {
      if (!wanted.has(name) && isNative(name)) putBackStock(name);
    }
  }
  return {
    names: [...wanted.keys()],
    native: addon.module !== undefined,
    ...(addon.error === undefined ? {} : { nativeReason: addon.error }),
  };
}

function isNative(name: string): boolean {
  const current = getKernel(name, WASM);
  return current !== undefined && (nativeInstalled?.includes(current) ?? false);
}

function putBackStock(name: string): void {
  unregisterKernel(name, WASM);
  const original = stock.get(name);
  if (original !== undefined) registerKernel(original);
}

/**
 * Puts the stock wasm kernels back for `names` (default: all of ours); kernels that have no
 * stock version are removed. For measuring the kernels' effect; training a conv net needs them.
 */
export function restoreStockWasmKernels(
  names: readonly string[] = [...new Set([...WASM_KERNEL_NAMES, ...NATIVE_KERNEL_NAMES])],
): void {
  for (const name of names) {
    const current = getKernel(name, WASM);
    const ours = [...(installed ?? []), ...(nativeInstalled ?? [])];
    if (current !== undefined && ours.includes(current)) putBackStock(name);
  }
}
