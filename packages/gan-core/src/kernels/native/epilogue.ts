/**
 * A fused op's epilogue (bias over the last axis, then an activation) computed in place by the
 * addon after a convolution or a matrix product (conv.ts, matmul.ts).
 */
import { util } from '@tensorflow/tfjs';
import type { TensorInfo, backend_util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from '../kernel-utils.js';
import type { NativeAddon } from './addon.js';

export type Activation = backend_util.Activation;

/** TF.js's default slope of a fused op's `leakyrelu` activation. */
export const DEFAULT_LEAKYRELU_ALPHA = 0.2;

/** The addon's activation codes; `prelu` is left to the fallback kernel. */
const ACTIVATION_CODES: Partial<Record<Activation, number>> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  elu: 3,
  leakyrelu: 4,
  sigmoid: 5,
};

/** The addon's code for a fused op's activation (undefined: linear), or undefined for `prelu`. */
export function activationCode(activation: Activation | undefined): number | undefined {
  return activation === undefined ? 0 : ACTIVATION_CODES[activation];
}

/** True when a fused op's extras (bias over the channel axis, a simple activation) are ours. */
export function supportsEpilogue(
  bias: TensorInfo | undefined,
  prelu: TensorInfo | undefined,
  activation: Activation | undefined,
  channels: number,
): boolean {
  if (prelu !== undefined) return false;
  if (activation !== undefined && ACTIVATION_CODES[activation] === undefined) return false;
  if (bias === undefined) return true;
  const size = util.sizeFromShape(bias.shape);
  return bias.dtype === 'float32' && (size === channels || size === 1);
}

/** A fused op's activation attributes (FusedConv2D's and _FusedMatMul's). */
export interface EpilogueAttrs {
  activation?: Activation;
  leakyreluAlpha?: number;
}

/** Adds the bias along the last axis and applies the activation, in place, in the addon. */
export function epilogue(
  native: NativeAddon,
  backend: BackendWasm,
  out: Float32Array,
  bias: TensorInfo | undefined,
  { activation, leakyreluAlpha }: EpilogueAttrs,
): void {
  const code = activation === undefined ? 0 : (ACTIVATION_CODES[activation] ?? 0);
  if (bias === undefined && code === 0) return;
  native.biasActivation(
    out,
    bias === undefined ? null : heapFloats(backend, bias),
    code,
    leakyreluAlpha ?? DEFAULT_LEAKYRELU_ALPHA,
  );
}
