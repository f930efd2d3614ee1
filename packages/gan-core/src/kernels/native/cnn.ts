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

/** A compiled trunk. */
export interface NativeCnn {
  /** `[height, width, channels]` of one image's output. */
  readonly outputShape: [number, number, number];
  /** Runs `images` NHWC images (`input.length` = images x h x w x c) and returns their outputs. */
  run(input: Float32Array, images: number): Float32Array;
}

const ACTIVATIONS = { linear: 0, relu: 1, relu6: 2 } as const;

/** Environment variable: `0` keeps the oneDNN trunk off (its callers then run TF.js ops). */
export const NATIVE_CNN_ENV = 'GANMOD_NATIVE_CNN';

/**
 * Compiles `description` on the addon's oneDNN path.
 *
 * @returns the compiled trunk, or `undefined` where the addon is not loaded, was built without
 *   oneDNN, or {@link NATIVE_CNN_ENV} is `0` (the caller then runs the network through TF.js).
 * @throws Error from the addon when the description is inconsistent (shapes, sizes).
 */
export function createNativeCnn(
  description: CnnDescription,
  addon: NativeAddon | undefined = loadNativeAddon().module,
  env: Record<string, string | undefined> = process.env,
): NativeCnn | undefined {
  if (env[NATIVE_CNN_ENV] === '0') return undefined;
  if (!addon?.cnnCreate || !addon.cnnRun) return undefined;
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
  const { handle, outputShape } = addon.cnnCreate(ints, weights);
  const perImage = outputShape[0] * outputShape[1] * outputShape[2];
  const run = addon.cnnRun.bind(addon);
  return {
    outputShape,
    run(input, images) {
      const output = new Float32Array(images * perImage);
      run(handle, input, images, output);
      return output;
    },
  };
}
