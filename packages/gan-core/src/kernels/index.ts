/** The project's TF.js kernels for the wasm backend. */
export { registerWasmKernels, restoreStockWasmKernels, WASM_KERNEL_NAMES } from './register.js';
export type { RegisterWasmKernelsOptions, WasmKernelsInfo } from './register.js';
export { loadNativeAddon, NATIVE_KERNELS_ENV } from './native/addon.js';
export type { NativeAddon } from './native/addon.js';
export { createNativeCnn, NATIVE_CNN_ENV, nativeCnnPrecision } from './native/cnn.js';
export { resampleImage } from './native/resample.js';
export type { PixelImage, ResampleOptions } from './native/resample.js';
export { resampleWeighted } from './native/weighted-resample.js';
export { buildHammingIndex, hammingSearch, popcount32 } from './native/hamming-search.js';
export type { HammingHit, HammingIndex } from './native/hamming-search.js';
export type {
  AxisWeights,
  PlaneRegion,
  PlaneSource,
  WeightStage,
} from './native/weighted-resample.js';
export type {
  CnnAdd,
  CnnConv,
  CnnDescription,
  CnnNode,
  CnnPrecision,
  NativeCnn,
  NativeCnnOptions,
} from './native/cnn.js';
export { NATIVE_KERNEL_NAMES } from './native/registry.js';
export { planAxis } from './axis-plan.js';
export type { AxisPlan } from './axis-plan.js';
export { phaseFilter } from './conv2d-backprop-input.js';
