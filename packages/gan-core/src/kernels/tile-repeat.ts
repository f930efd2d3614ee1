/**
 * Tile for wasm, fast path for tiling a block along leading axes (batch norm's gradient tiles
 * a [1, 1, 1, C] vector to [N, H, W, C]).
 *
 * Trick: when only leading size-1 axes are repeated, the output is the input's bytes repeated
 * back to back, so it is built with a doubling `copyWithin` (memcpy speed) instead of the stock
 * kernel's per-element index arithmetic. Other tilings go to the stock kernel.
 */
import { Tile, util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WASM } from './kernel-utils.js';

/**
 * Times the input is repeated back to back when tiling `shape` by `reps` is such a
 * repetition (every repeated axis has size 1 and precedes every axis of size > 1); else undefined.
 */
export function blockRepeats(
  shape: readonly number[],
  reps: readonly number[],
): number | undefined {
  let seenData = false;
  let times = 1;
  for (let i = 0; i < shape.length; i++) {
    const rep = reps[i] ?? 1;
    if (rep !== 1) {
      if (seenData || shape[i] !== 1) return undefined;
      times *= rep;
    }
    if (shape[i] !== 1) seenData = true;
  }
  return times;
}

function tileRepeat(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { reps } = args.attrs as { reps: number[] };
    const times =
      x.dtype === 'float32' || x.dtype === 'int32' ? blockRepeats(x.shape, reps) : undefined;
    if (times === undefined) return stock(args);
    const backend = args.backend as BackendWasm;
    const outShape = x.shape.map((d, i) => d * (reps[i] ?? 1));
    const out = backend.makeOutput(outShape, x.dtype);
    // Views after makeOutput: allocating may grow (and detach) the wasm heap.
    const input = backend.typedArrayFromHeap(x);
    const output = backend.typedArrayFromHeap(out);
    const block = util.sizeFromShape(x.shape);
    output.set(input);
    for (let filled = block; filled < block * times; filled *= 2) {
      output.copyWithin(filled, 0, Math.min(filled, block * times - filled));
    }
    return out;
  };
}

/** Registry entry wrapping the stock wasm Tile. */
export function tileConfig(stock: KernelFunc): KernelConfig {
  return { kernelName: Tile, backendName: WASM, kernelFunc: tileRepeat(stock) };
}
