/**
 * Whole-network CNN inference on the addon's oneDNN path (native/cnn.cc): a trunk of
 * convolutions (depthwise included) with bias and ReLU/ReLU6 fused, and residual additions, run
 * one image at a time so each layer's activations stay in cache. Used by inference-only models
 * (the moderation detectors' MobileNetV2), not by training.
 */
import { loadNativeAddon, type NativeAddon } from './addon.js';

/** A convolution of the trunk (TF.js layouts: filter HWIO, or `[kh, kw, c, 1]` when depthwise). */
export interface CnnConv {
  op: 'conv';
  /** Index of the node read, -1 for the network's input. */
  input: number;
  depthwise: boolean;
  /** `[kh, kw, inChannels, outChannels]` (`outChannels` = `inChannels` when depthwise). */
  shape: [number, number, number, number];
  filter: Float32Array;
  bias?: Float32Array;
  strides: [number, number];
  /** Explicit zero padding: top, bottom, left, right. */
  pad: [number, number, number, number];
  activation: 'linear' | 'relu' | 'relu6';
}

/** An elementwise sum of two earlier nodes of the same shape (a residual connection). */
export interface CnnAdd {
  op: 'add';
  inputs: [number, number];
}

/** One node of a {@link CnnDescription}; nodes read only the input or earlier nodes. */
export type CnnNode = CnnConv | CnnAdd;

/** A CNN trunk: its input's `[height, width, channels]` and nodes; the last node is the output. */
export interface CnnDescription {
  input: [number, number, number];
  nodes: CnnNode[];
}

/**
 * Arithmetic of a trunk: `f32`; `bf16` (weights and activations bfloat16, f32 accumulation);
 * `int8` (activations u8/s8 with one step per tensor from calibrated ranges, weights s8 with one
 * step per output channel, s32 accumulation). The input and the output stay f32 arrays.
 */
export type CnnPrecision = 'f32' | 'bf16' | 'int8';

/** A compiled trunk. */
export interface NativeCnn {
  /** `[height, width, channels]` of one image's output. */
  readonly outputShape: [number, number, number];
  /**
   * The precision it runs in (f32 where the requested one is not native to the CPU); a mixed
   * trunk ({@link NativeCnnOptions.precisionOf}) reports its default.
   */
  readonly precision: CnnPrecision;
  /**
   * Runs `images` NHWC images (`input.length` = images x h x w x c) and returns their outputs,
   * written into `into` when it is given and long enough (a caller running batch after batch
   * keeps one array instead of a fresh one per batch), a new array otherwise.
   */
  run(input: Float32Array, images: number, into?: Float32Array): Float32Array;
  /**
   * Runs `images` images (f32 trunks only) and widens `ranges` to the min and max of the input
   * (`ranges[0..1]`) and of each node's output (`ranges[2k + 2..2k + 3]` for node k): the
   * calibration int8 needs. Starts from `[Infinity, -Infinity, ...]` when `ranges` is omitted.
   */
  calibrate(input: Float32Array, images: number, ranges?: Float32Array): Float32Array;
}

/** Options of {@link createNativeCnn}. */
export interface NativeCnnOptions {
  /** Requested precision (default `f32`); see {@link nativeCnnPrecision} for the gating. */
  precision?: CnnPrecision;
  /**
   * A mixed trunk: each node's precision (the rest of the trunk converts between them); nodes it
   * returns undefined for take {@link precision}. Gated per node like {@link precision}.
   */
  precisionOf?: (node: CnnNode, index: number) => CnnPrecision | undefined;
  /** int8: {@link NativeCnn.calibrate}'s ranges (2 x (nodes + 1) values). */
  ranges?: Float32Array;
}

/**
 * The precision a trunk actually runs in on oneDNN's instruction set `isa`: `bf16` only where
 * the CPU has bf16 dot products (AVX512_BF16: `avx512_core_bf16`, `avx512_core_amx`), `int8`
 * only where it has VNNI (`*_vnni` and up); otherwise `f32`. Without native instructions oneDNN
 * emulates bf16 (or refuses it below AVX-512) and runs int8 through 16-bit intermediate sums,
 * slower, so neither would pay for its rounding.
 */
export function nativeCnnPrecision(requested: CnnPrecision, isa: string): CnnPrecision {
  if (requested === 'bf16') {
    return isa === 'avx512_core_bf16' || isa === 'avx512_core_amx' ? 'bf16' : 'f32';
  }
  if (requested === 'int8') {
    const vnni = ['avx2_vnni', 'avx512_core_vnni', 'avx512_core_bf16', 'avx512_core_amx'];
    return vnni.includes(isa) ? 'int8' : 'f32';
  }
  return 'f32';
}

const PRECISION_CODES = { f32: 0, bf16: 1, int8: 2 } as const;

const ACTIVATIONS = { linear: 0, relu: 1, relu6: 2 } as const;

/** Environment variable: `0` keeps the oneDNN trunk off (its callers then run TF.js ops). */
export const NATIVE_CNN_ENV = 'GANMOD_NATIVE_CNN';

/**
 * Compiles `description` on the addon's oneDNN path.
 *
 * @param options - precision (gated by {@link nativeCnnPrecision}) and int8's calibrated ranges.
 * @returns the compiled trunk, or `undefined` where the addon is not loaded, was built without
 *   oneDNN, or {@link NATIVE_CNN_ENV} is `0` (the caller then runs the network through TF.js).
 * @throws Error from the addon when the description is inconsistent (shapes, sizes).
 */
export function createNativeCnn(
  description: CnnDescription,
  addon: NativeAddon | undefined = loadNativeAddon().module,
  env: Record<string, string | undefined> = process.env,
  options: NativeCnnOptions = {},
): NativeCnn | undefined {
  if (env[NATIVE_CNN_ENV] === '0') return undefined;
  if (!addon?.cnnCreate || !addon.cnnRun) return undefined;
  const isa = addon.cnnIsa?.() ?? 'other';
  const precision = nativeCnnPrecision(options.precision ?? 'f32', isa);
  const perNode = description.nodes.map((node, i) =>
    nativeCnnPrecision(options.precisionOf?.(node, i) ?? options.precision ?? 'f32', isa),
  );
  if (perNode.includes('int8') && options.ranges?.length !== 2 * (description.nodes.length + 1)) {
    throw new Error('createNativeCnn: int8 needs calibrated ranges for the input and every node');
  }
  const ints: number[] = [...description.input, description.nodes.length];
  const weights: Float32Array[] = [];
  for (const node of description.nodes) {
    if (node.op === 'add') {
      ints.push(1, node.inputs[0], node.inputs[1], ...new Array<number>(13).fill(0));
      continue;
    }
    const [kh, kw, ci, co] = node.shape;
    ints.push(
      0,
      node.input,
      -1,
      node.depthwise ? 1 : 0,
      kh,
      kw,
      ci,
      co,
      ...node.strides,
      ...node.pad,
      ACTIVATIONS[node.activation],
      node.bias ? 1 : 0,
    );
    weights.push(node.filter);
    if (node.bias) weights.push(node.bias);
  }
  const { handle, outputShape } = addon.cnnCreate(
    ints,
    weights,
    perNode.map((p) => PRECISION_CODES[p]),
    perNode.includes('int8') ? options.ranges : undefined,
  );
  const perImage = outputShape[0] * outputShape[1] * outputShape[2];
  const run = addon.cnnRun.bind(addon);
  const nodes = description.nodes.length;
  return {
    outputShape,
    precision,
    run(input, images, into) {
      const length = images * perImage;
      const output =
        into && into.length >= length ? into.subarray(0, length) : new Float32Array(length);
      run(handle, input, images, output);
      return output;
    },
    calibrate(input, images, ranges) {
      const out =
        ranges ??
        Float32Array.from({ length: 2 * (nodes + 1) }, (_, i) => (i % 2 ? -Infinity : Infinity));
      addon.cnnCalibrate!(handle, input, images, out);
      return out;
    },
  };
}
