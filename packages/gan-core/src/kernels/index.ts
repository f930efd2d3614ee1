/** The project's TF.js kernels for the wasm backend. */
export { registerWasmKernels, restoreStockWasmKernels, WASM_KERNEL_NAMES } from './register.js';
export type { RegisterWasmKernelsOptions, WasmKernelsInfo } from './register.js';
export { loadNativeAddon, NATIVE_KERNEL_NAMES, NATIVE_KERNELS_ENV } from './native.js';
export type { NativeAddon } from './native.js';
export { planAxis, phaseFilter } from './conv2d_backprop_input.js';
export type { AxisPlan } from './conv2d_backprop_input.js';
