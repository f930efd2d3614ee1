/**
 * Gradients of Sum and Mean without a ones tensor of the input's size.
 *
 * TF.js's own (tfjs-core 4.22) compute `dy * ones(x.shape)` (and `/ n` for Mean): a full-size
 * array of ones built in JavaScript, uploaded, then one or two passes over it. Batch norm takes
 * means over [N, H, W] every step, so a DCGAN step built ~10 MB of ones for nothing. Broadcasting
 * dy (divided first for Mean) gives the same values bit for bit (dy * 1 = dy) in one Tile pass.
 * Backend-agnostic; `broadcastTo` has its own gradient, so second-order penalties still work.
 */
import {
  Mean,
  Sum,
  Tile,
  broadcastTo,
  div,
  getGradient,
  registerGradient,
  reshape,
  sum,
  util,
} from '@tensorflow/tfjs';
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

/**
 * Tile's gradient for a broadcast (every tiled axis has size 1 in x): the sum of dy over those
 * axes, one kernel. TF.js's own adds one slice of dy per repetition: the broadcasts above, once a
 * second-order penalty differentiates them (R1 through DiffAugment's colour means), tiled
 * [b, 1, 1, 1] to [b, 64, 64, 3] and cost 12,288 Slice + Add kernels per D update. Other tilings
 * keep the stock gradient. Its own gradient is the broadcast again, so any order works.
 */
function tileGrad(stock: GradConfig): GradConfig {
  return {
    ...stock,
    kernelName: Tile,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [Tensor];
      const { reps } = attrs as unknown as { reps: number[] };
      const broadcast = reps.every((r, i) => r === 1 || x.shape[i] === 1);
      if (!broadcast) return stock.gradFunc(dy, saved, attrs);
      const axes = reps.flatMap((r, i) => (r === 1 ? [] : [i]));
      return { x: () => (axes.length === 0 ? (dy as Tensor) : sum(dy as Tensor, axes, true)) };
    },
  };
}

/**
 * Replaces TF.js's Sum and Mean gradients by the broadcasting ones above, and Tile's by a sum
 * where it broadcasts. Idempotent.
 */
export function installReductionGradients(): void {
  if (installed) return;
  registerGradient(sumGrad);
  registerGradient(meanGrad);
  const stockTile = getGradient(Tile);
  if (stockTile !== undefined) registerGradient(tileGrad(stockTile));
  installed = true;
}
