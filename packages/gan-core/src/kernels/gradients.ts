/**
 * Gradients of Sum and Mean without a ones tensor of the input's size.
 *
 * TF.js's own (tfjs-core 4.22) compute `dy * ones(x.shape)` (and `/ n` for Mean): a full-size
 * array of ones built in JavaScript, uploaded, then one or two passes over it. Batch norm takes
 * means over [N, H, W] every step, so a DCGAN step built ~10 MB of ones for nothing. Broadcasting
 * dy (divided first for Mean) gives the same values bit for bit (dy * 1 = dy) in one Tile pass.
 * Backend-agnostic; `broadcastTo` has its own gradient, so second-order penalties still work.
 */
import { Mean, Sum, broadcastTo, div, registerGradient, reshape, util } from '@tensorflow/tfjs';
import type { GradConfig, Tensor } from '@tensorflow/tfjs';

let installed = false;

/** The input's shape with the reduced axes set to 1 (where dy broadcasts from). */
function keptShape(x: Tensor, axis: number | number[]): number[] {
  const shape = x.shape.slice();
  for (const a of util.parseAxisParam(axis, x.shape)) shape[a] = 1;
  return shape;
}

const sumGrad: GradConfig = {
  kernelName: Sum,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [Tensor];
    const { axis } = attrs as unknown as { axis: number | number[] };
    return { x: () => broadcastTo(reshape(dy as Tensor, keptShape(x, axis)), x.shape) };
  },
};

const meanGrad: GradConfig = {
  kernelName: Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [Tensor];
    const { axis } = attrs as unknown as { axis: number | number[] };
    const kept = keptShape(x, axis);
    const reduceSize = util.sizeFromShape(x.shape) / util.sizeFromShape(kept);
    return {
      x: () => broadcastTo(div(reshape(dy as Tensor, kept), reduceSize), x.shape),
    };
  },
};

/** Replaces TF.js's Sum and Mean gradients by the broadcasting ones above. Idempotent. */
export function installReductionGradients(): void {
  if (installed) return;
  registerGradient(sumGrad);
  registerGradient(meanGrad);
  installed = true;
}
