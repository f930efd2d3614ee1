/**
 * Per-example clipped gradient sums in one batched pass (the per-example gradient tricks), for
 * discriminators whose trainable weights all sit in `fastDense` / `fastConv2d` layers.
 *
 * With no cross-sample layers, the gradient of one layer's weights for example i is a function of
 * that layer's input a_i and of g_i = ∂L_i/∂y_i, the gradient at its pre-activation output y_i:
 * - dense: ∇W_i = a_iᵀ g_i (an outer product), so ‖∇W_i‖² = ‖a_i‖²·‖g_i‖² (Goodfellow 2015);
 * - conv: ∇K_i = U_iᵀ G_i with U_i the unfolded input patches [P, k·k·Cin] and G_i [P, Cout]:
 *   materialised per example when P·k·k·Cin·Cout is small, else by the "ghost norm"
 *   ‖U_iᵀG_i‖² = Σ (U_iU_iᵀ) ⊙ (G_iG_iᵀ) (Li et al. 2021), whichever costs less;
 * - a bias gets Σ_positions g_i.
 * One forward pass records every a_i and adds a zero probe to each y, one backward pass to the
 * probes gives every g_i (loss summed over the batch, so ∂L/∂y_i = ∂L_i/∂y_i). The clip factors
 * w_i = min(1, C/(‖g_i‖ + 1e-6)) then weight g, and the clipped sum is aᵀ(w ⊙ g) per layer: no
 * second pass through the network, and the dropout masks are the ones the norms saw.
 */
import * as tf from '@tensorflow/tfjs';

import { withLayerTap } from '../models/layer-tap.js';

/** What per-example clipping reads of a dense or conv layer (not in TF.js's public typings). */
interface WeightedLayer {
  kernel: tf.LayerVariable | null;
  bias: tf.LayerVariable | null;
  strides?: number | [number, number];
  padding?: string;
}

const tappable = new Set(['Dense', 'Conv2D']);

/**
 * The layers of `model` with trainable weights that the one-pass per-example path cannot handle
 * (anything but dense and 2-D conv layers, or a layer applied more than once): empty when
 * {@link perExampleClippedSum} serves the model.
 */
export function perExampleUnsupported(model: tf.LayersModel): string[] {
  return model.layers
    .filter((l) => l.trainableWeights.length > 0)
    .filter((l) => !tappable.has(l.getClassName()) || l.inboundNodes.length !== 1)
    .map((l) => `${l.name} (${l.getClassName()})`);
}

/** Row-major indices of the input pixels each output position of a conv reads, (kh, kw) order. */
const patchIndexCache = new Map<string, Int32Array>();
function patchIndices(
  paddedW: number,
  outH: number,
  outW: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
): Int32Array {
  const key = [paddedW, outH, outW, kh, kw, sh, sw].join(',');
  let idx = patchIndexCache.get(key);
  if (idx === undefined) {
    idx = new Int32Array(outH * outW * kh * kw);
    let n = 0;
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) idx[n++] = (oh * sh + i) * paddedW + (ow * sw + j);
    patchIndexCache.set(key, idx);
  }
  return idx;
}

/** Unfolded input patches `[batch, P, kh·kw·Cin]` of a channels-last conv (im2col by gather). */
function unfold(
  x: tf.Tensor4D,
  [kh, kw]: [number, number],
  [sh, sw]: [number, number],
  padding: string,
  [outH, outW]: [number, number],
): tf.Tensor3D {
  const [b, h, w, c] = x.shape;
  let padded = x;
  if (padding === 'same') {
    // TF's 'same': total padding (out-1)·s + k - in, the extra pixel at the bottom/right.
    const ph = Math.max((outH - 1) * sh + kh - h, 0);
    const pw = Math.max((outW - 1) * sw + kw - w, 0);
    const top = Math.floor(ph / 2);
    const left = Math.floor(pw / 2);
    padded = tf.pad(x, [
      [0, 0],
      [top, ph - top],
      [left, pw - left],
      [0, 0],
    ]);
  } else if (padding !== 'valid') throw new Error(`per-example conv: padding '${padding}'`);
  const [, hp, wp] = padded.shape;
  const flat = tf.reshape(padded, [b, hp * wp, c]);
  const idx = tf.tensor1d(patchIndices(wp, outH, outW, kh, kw, sh, sw), 'int32');
  return tf.reshape(tf.gather(flat, idx, 1), [b, outH * outW, kh * kw * c]);
}

const pair = (v: number | [number, number] | undefined): [number, number] =>
  v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : v;

interface LayerParts {
  /** Per-example squared gradient norm of the layer's weights, `[batch]`. */
  sqNorm: tf.Tensor1D;
  /** The clipped sums of its kernel (and bias) given per-example weights `[batch]`. */
  clipped: (w: tf.Tensor1D) => { kernel: tf.Tensor; bias: tf.Tensor | null };
}

/** A dense layer's pieces from its input `[B, in]` and output gradient `[B, out]`. */
function denseParts(a: tf.Tensor2D, g: tf.Tensor2D, hasBias: boolean): LayerParts {
  const gSq = tf.sum(tf.square(g), 1);
  const aSq = tf.sum(tf.square(a), 1);
  const kernelSq = tf.mul(aSq, gSq);
  return {
    sqNorm: (hasBias ? tf.add(kernelSq, gSq) : kernelSq) as tf.Tensor1D,
    clipped: (w) => {
      const gw = tf.mul(g, tf.expandDims(w, 1));
      return { kernel: tf.matMul(a, gw, true, false), bias: hasBias ? tf.sum(gw, 0) : null };
    },
  };
}

/** A conv layer's pieces from its input `[B, H, W, Cin]` and output gradient `[B, Ho, Wo, Cout]`. */
function convParts(
  x: tf.Tensor4D,
  g: tf.Tensor4D,
  kernelShape: number[],
  strides: [number, number],
  padding: string,
  hasBias: boolean,
): LayerParts {
  const [kh, kw, cin, cout] = kernelShape as [number, number, number, number];
  const [b, outH, outW] = g.shape;
  const p = outH * outW;
  const u = unfold(x, [kh, kw], strides, padding, [outH, outW]);
  const gm = tf.reshape<tf.Rank.R3>(g, [b, p, cout]);
  const d = kh * kw * cin;
  // Materialised per-example kernels cost P·d·Cout per example; ghost norms P²·(d + Cout).
  const kernelSq =
    p * d * cout <= p * p * (d + cout)
      ? tf.sum(tf.square(tf.matMul(u, gm, true, false)), [1, 2])
      : tf.sum(tf.mul(tf.matMul(u, u, false, true), tf.matMul(gm, gm, false, true)), [1, 2]);
  const gSum = tf.sum(gm, 1);
  return {
    sqNorm: (hasBias ? tf.add(kernelSq, tf.sum(tf.square(gSum), 1)) : kernelSq) as tf.Tensor1D,
    clipped: (w) => {
      const gw = tf.mul(gm, tf.reshape(w, [b, 1, 1]));
      const kernel = tf.reshape(
        tf.matMul(tf.reshape(u, [b * p, d]), tf.reshape(gw, [b * p, cout]), true, false),
        kernelShape,
      );
      return { kernel, bias: hasBias ? tf.sum(gw, [0, 1]) : null };
    },
  };
}

/**
 * Σ_i clip(∇_vars loss_i, C) over the `count` examples of one batched forward, as
 * `clippedGradientSum` (the one-backward-per-example reference) computes it, in one pass:
 * `lossSum()` must run `model` once on the whole batch and return the **sum** of the per-example
 * losses. Every variable in `vars` must be a kernel or bias of a dense or conv layer of `model`
 * (see {@link perExampleUnsupported}). Returns tensors in `vars` order (the caller disposes them),
 * the mean per-example loss and the per-example gradient norms before clipping.
 */
export function perExampleClippedSum(
  model: tf.LayersModel,
  vars: readonly tf.Variable[],
  count: number,
  lossSum: () => tf.Scalar,
  clipNorm: number,
): { sums: tf.Tensor[]; meanLoss: number; norms: Float32Array } {
  const unsupported = perExampleUnsupported(model);
  if (unsupported.length > 0)
    throw new Error(`per-example clipping cannot handle layers ${unsupported.join(', ')}`);
  if (count === 0)
    return { sums: vars.map((v) => tf.zeros(v.shape)), meanLoss: 0, norms: new Float32Array() };
  const layers = model.layers.filter((l) => l.trainableWeights.length > 0);
  const probes = layers.map((l) => {
    const shape = l.outputShape as (number | null)[];
    return tf.zeros([count, ...shape.slice(1).map((s) => s ?? 0)]);
  });
  const inputs = new Map<tf.layers.Layer, tf.Tensor>();
  const { value, grads } = tf.valueAndGrads((...probe: tf.Tensor[]) =>
    withLayerTap((layer, input, output) => {
      const k = layers.indexOf(layer);
      if (k < 0) return output;
      if (inputs.has(layer)) throw new Error(`layer ${layer.name} ran twice in one pass`);
      inputs.set(layer, tf.keep(input.clone()));
      return tf.add(output, probe[k] as tf.Tensor);
    }, lossSum),
  )(probes);
  tf.dispose(probes);
  try {
    const missing = layers.filter((l) => !inputs.has(l)).map((l) => l.name);
    if (missing.length > 0)
      throw new Error(`layers ${missing.join(', ')} did not take the per-example path`);
    return tf.tidy(() => {
      const parts = layers.map((l, k) => {
        const wl = l as unknown as WeightedLayer;
        const a = inputs.get(l) as tf.Tensor;
        const g = grads[k] as tf.Tensor;
        if (g.shape[0] !== count) throw new Error(`layer ${l.name}: batch ${g.shape[0]}`);
        const hasBias = wl.bias !== null;
        return l.getClassName() === 'Dense'
          ? denseParts(a as tf.Tensor2D, g as tf.Tensor2D, hasBias)
          : convParts(
              a as tf.Tensor4D,
              g as tf.Tensor4D,
              wl.kernel!.shape as number[],
              pair(wl.strides),
              wl.padding ?? 'valid',
              hasBias,
            );
      });
      const norms = tf.sqrt(tf.addN(parts.map((p) => p.sqNorm)));
      // Opacus' factor: C / (‖g‖ + 1e-6), at most 1.
      const factors = tf.minimum<tf.Tensor1D>(1, tf.div(clipNorm, tf.add(norms, 1e-6)));
      const byVariable = new Map<string, tf.Tensor>();
      layers.forEach((l, k) => {
        const wl = l as unknown as WeightedLayer;
        const { kernel, bias } = (parts[k] as LayerParts).clipped(factors);
        byVariable.set((wl.kernel!.read() as tf.Variable).name, kernel);
        if (bias !== null && wl.bias !== null)
          byVariable.set((wl.bias.read() as tf.Variable).name, bias);
      });
      const sums = vars.map((v) => {
        const s = byVariable.get(v.name);
        if (s === undefined) throw new Error(`variable ${v.name} is in no dense or conv layer`);
        return tf.keep(s);
      });
      return {
        sums,
        meanLoss: (value.dataSync()[0] as number) / count,
        norms: norms.dataSync() as Float32Array,
      };
    });
  } finally {
    tf.dispose([value, ...grads, ...inputs.values()]);
  }
}
