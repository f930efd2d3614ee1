/** Backend selection and the project's TF.js kernels. */
export { BACKEND_ENV, BACKEND_NAMES, initBackend, parseBackendName } from './init.js';
export type { BackendInfo, BackendName, InitBackendOptions } from './init.js';
export { wasmBinaryPaths } from './wasm-paths.js';
export {
  registerWasmKernels,
  restoreStockWasmKernels,
  WASM_KERNEL_NAMES,
  loadNativeAddon,
  NATIVE_KERNEL_NAMES,
  NATIVE_KERNELS_ENV,
  createNativeCnn,
  NATIVE_CNN_ENV,
  nativeCnnPrecision,
  resampleImage,
  resampleWeighted,
  buildHammingIndex,
  hammingSearch,
  popcount32,
} from '../kernels/index.js';
export type {
  CnnAdd,
  CnnConv,
  CnnDescription,
  CnnNode,
  CnnPrecision,
  NativeAddon,
  NativeCnn,
  NativeCnnOptions,
  PixelImage,
  PlaneRegion,
  PlaneSource,
  ResampleOptions,
  AxisWeights,
  WeightStage,
  HammingHit,
  HammingIndex,
  RegisterWasmKernelsOptions,
  WasmKernelsInfo,
} from '../kernels/index.js';
export { AllReduce, createAllReduceBuffers } from './all-reduce.js';
export type { AllReduceBuffers } from './all-reduce.js';
