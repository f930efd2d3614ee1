/**
 * The optional native addon `dist/native/ganmod_kernels.node` (built from native/*.cc by
 * scripts/build-native.mjs: oneDNN convolutions and products where libdnnl is installed, im2col +
 * OpenBLAS sgemm otherwise, and one-pass elementwise loops, computed directly on the wasm heap, so
 * no tensor is copied): its interface and its loader.
 *
 * Why: convolutions and matrix products are ~80% of a conv GAN step, and single-threaded wasm
 * SIMD (no FMA) runs them several times slower than OpenBLAS's AVX2/FMA code on all cores. The
 * kernels built on the addon are in this folder by family (conv.ts, depthwise.ts, matmul.ts, dense.ts,
 * elementwise.ts, batch-norm.ts, adam.ts, dropout.ts), listed in registry.ts. Where the addon was
 * not built (no compiler or no OpenBLAS) or `GANMOD_NATIVE_KERNELS=0`, the project's wasm kernels
 * serve.
 */
import { createRequire } from 'node:module';

/** The addon's functions (arguments are Float32Array views of the wasm heap). */
export interface NativeAddon {
  /**
   * Forward convolution; with `bias` (or null), `activation` and `alpha` it also applies a fused
   * op's epilogue (codes as {@link NativeAddon.biasActivation}'s; the bias one value per channel).
   */
  conv2d(
    x: Float32Array,
    filter: Float32Array,
    y: Float32Array,
    geometry: number[],
    bias?: Float32Array | null,
    activation?: number,
    alpha?: number,
  ): void;
  conv2dBackpropInput(
    dy: Float32Array,
    filter: Float32Array,
    dx: Float32Array,
    geometry: number[],
  ): void;
  conv2dBackpropFilter(
    x: Float32Array,
    dy: Float32Array,
    dw: Float32Array,
    geometry: number[],
  ): void;
  /**
   * Depthwise convolution, NHWC, channel multiplier 1: `geometry` is
   * [n, h, w, c, kh, kw, ho, wo, strideH, strideW, padTop, padLeft, dilationH, dilationW]; the
   * bias (or null) and activation (codes as {@link NativeAddon.biasActivation}'s) are fused.
   */
  depthwiseConv2d(
    x: Float32Array,
    filter: Float32Array,
    bias: Float32Array | null,
    y: Float32Array,
    geometry: number[],
    activation: number,
    alpha: number,
  ): void;
  matMul(a: Float32Array, b: Float32Array, c: Float32Array, geometry: number[]): void;
  adam(
    value: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    outValue: Float32Array,
    outM: Float32Array,
    outV: Float32Array,
    constants: Float32Array,
  ): void;
  leakyRelu(x: Float32Array, y: Float32Array, alpha: number): void;
  tanh(x: Float32Array, y: Float32Array): void;
  leakyReluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, alpha: number): void;
  sumRows(x: Float32Array, out: Float32Array, rows: number, scale: number): void;
  dropoutMask(out: Float32Array, seed: number, keepProb: number): void;
  batchNorm(
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
    out: Float32Array,
    epsilon: number,
  ): void;
  /** Batch norm in training over the last axis: writes y and the batch mean and variance. */
  batchNormTrain(
    x: Float32Array,
    gamma: Float32Array | null,
    beta: Float32Array | null,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    epsilon: number,
  ): void;
  /** batchNormTrain's gradient: writes dx, dgamma and dbeta. */
  batchNormTrainGrad(
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array | null,
    mean: Float32Array,
    variance: Float32Array,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array,
    epsilon: number,
  ): void;
  /** Bias over the last axis, then activation code 0..5 (see `ACTIVATION_CODES` in epilogue.ts). */
  biasActivation(
    out: Float32Array,
    bias: Float32Array | null,
    activation: number,
    alpha: number,
  ): void;
  /**
   * Resamples 8-bit interleaved pixels (`geometry` = [width, height, channels, outWidth,
   * outHeight]) with a triangle filter into `dst` as `value * scale + offset`; see resample.ts.
   */
  resampleImage?(
    src: Uint8Array,
    geometry: number[],
    dst: Float32Array,
    scale: number,
    offset: number,
  ): void;
  /**
   * Runs the region of one channel of `src` (`geometry` = [stride, left, top, width, height,
   * channels, channel]) through separable weight stages (`tables` = x, y packed tables per stage,
   * in doubles; `roundAcross[s]` = 1 rounds stage s's across sums to float) into `dst`, clamped to
   * [lo, hi]; see weighted-resample.ts.
   */
  resampleWeighted?(
    src: Float32Array | Uint8Array,
    geometry: number[],
    tables: Float64Array[],
    dst: Float32Array,
    lo: number,
    hi: number,
    roundAcross?: number[],
  ): void;
  /**
   * Multi-index Hamming search over 256-bit hashes (`geometry` = [indexed, total, queries,
   * maxDistance < 48]): [id, distance, query] triples in first-found order; see hamming-search.ts.
   */
  hammingSearch?(
    words: Uint32Array,
    geometry: number[],
    offsets: Uint32Array,
    ids: Uint32Array,
    queries: Uint32Array,
  ): Uint32Array;
  /**
   * LAPACK dsyevd of the symmetric row-major n x n `a` (lower triangle read): ascending
   * eigenvalues into `values`, eigenvectors as the columns of row-major `vectors` when given.
   * Returns LAPACK's info (0 = converged). Absent from addons built before it existed.
   */
  symmetricEigen?(
    a: Float64Array,
    n: number,
    values: Float64Array,
    vectors: Float64Array | null,
  ): number;
  /** `out` = `a` `b` for n x n row-major matrices (BLAS dgemm). Absent from older addons. */
  matMulF64?(a: Float64Array, b: Float64Array, n: number, out: Float64Array): void;
  /**
   * Compiles a CNN trunk for oneDNN (present only where the addon was built with oneDNN); see
   * `createNativeCnn` in cnn.ts for the description's layout.
   */
  cnnCreate?(
    description: number[],
    weights: Float32Array[],
    precision?: 0 | 1 | 2 | number[],
    ranges?: Float32Array,
  ): { handle: unknown; outputShape: [number, number, number] };
  /** Runs a compiled trunk over `images` NHWC images, one at a time. */
  cnnRun?(handle: unknown, input: Float32Array, images: number, output: Float32Array): void;
  /** Widens `ranges` ([min, max] of the input, then of each node) over `images` (f32 nets). */
  cnnCalibrate?(handle: unknown, input: Float32Array, images: number, ranges: Float32Array): void;
  /** The instruction set oneDNN's kernels use ("avx512_core_bf16", "avx2", ...). */
  cnnIsa?(): string;
  /** Sets OpenBLAS's thread count (process-wide); returns the count now in use. */
  setThreads(threads: number): number;
  getThreads(): number;
  /**
   * The kernels OpenBLAS chose for this CPU ("Cooperlake", "Haswell", ...; `OPENBLAS_CORETYPE`
   * overrides its choice). Absent from addons built before it existed.
   */
  blasCore?(): string;
  /** y = x upsampled by whole factors, nearest neighbour; geometry `[n, h, w, c, fh, fw]` of x. */
  upsampleNearest(x: Float32Array, y: Float32Array, geometry: number[]): void;
  /** dx = the sum of dy over each pixel's fh x fw block; geometry as upsampleNearest's (of dx). */
  upsampleNearestGrad(dy: Float32Array, dx: Float32Array, geometry: number[]): void;
  /**
   * Whether convolutions and matrix products run on oneDNN (where the addon was built against
   * libdnnl; else im2col + OpenBLAS `sgemm`, and `sgemm`); with an argument, switches it first
   * (process-wide; `GANMOD_ONEDNN=0` sets the start to off). Absent from older addons.
   */
  onednn?(use?: boolean): boolean;
  /** Kernel calls oneDNN has run in this process (the rest ran on OpenBLAS). */
  onednnCalls?(): number;
}

/** Environment variable: `0` keeps the native kernels off even where the addon loads. */
export const NATIVE_KERNELS_ENV = 'GANMOD_NATIVE_KERNELS';

let addon: { module?: NativeAddon; error?: string } | undefined;

/**
 * Loads the addon once. Returns it, or the reason it is unavailable (not built, not loadable on
 * this machine, or disabled through {@link NATIVE_KERNELS_ENV}).
 */
export function loadNativeAddon(env: Record<string, string | undefined> = process.env): {
  module?: NativeAddon;
  error?: string;
} {
  if (env[NATIVE_KERNELS_ENV] === '0') return { error: `${NATIVE_KERNELS_ENV}=0` };
  if (addon === undefined) {
    try {
      const require = createRequire(import.meta.url);
      // From src/kernels/native (tests) and dist/kernels/native alike.
      addon = { module: require('../../../dist/native/ganmod_kernels.node') as NativeAddon };
    } catch (error) {
      const text = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      addon = { error: `native kernels unavailable (${text})` };
    }
  }
  return addon;
}
