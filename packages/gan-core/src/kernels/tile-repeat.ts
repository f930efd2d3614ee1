/**
 * Tile for wasm, fast path for broadcasts: tiling a block along leading axes (batch norm's
 * gradient tiles a [1, 1, 1, C] vector to [N, H, W, C]) or along a run of inner size-1 axes
 * (per-image means' gradients: [N, 1, 1, C] to [N, H, W, C]).
 *
 * Trick: the output is then blocks of the input repeated back to back, so it is built with a
 * doubling `copyWithin` (memcpy speed) instead of the stock kernel's per-element index
 * arithmetic. Other tilings go to the stock kernel.
 */
import { Tile, util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WASM } from './kernel-utils.js';

/**
 * A broadcast tiling: the repeated axes form one run [i, j] of size-1 axes (`reps` 1 outside it),
 * so the output is, for each of the `outer` blocks of `inner` elements, that block repeated
 * `times` times back to back. Returns the three sizes, or `undefined` for other tilings.
 * (Sum and Mean gradients broadcast [N, 1, 1, C] to [N, H, W, C] this way.)
 */
export function broadcastRuns(
  shape: readonly number[],
  reps: readonly number[],
): { outer: number; times: number; inner: number } | undefined {
  const repeated = reps.flatMap((r, i) => (r === 1 ? [] : [i]));
  if (repeated.length === 0)
    return { outer: 1, times: 1, inner: util.sizeFromShape(shape.slice()) };
  const first = repeated[0]!;
  const last = repeated.at(-1)!;
  for (let i = first; i <= last; i++) if (shape[i] !== 1) return undefined;
  return {
    outer: util.sizeFromShape(shape.slice(0, first)),
    times: reps.slice(first, last + 1).reduce((a, b) => a * b, 1),
    inner: util.sizeFromShape(shape.slice(last + 1)),
  };
}

function tileRepeat(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { reps } = args.attrs as { reps: number[] };
    const runs =
      x.dtype === 'float32' || x.dtype === 'int32' ? broadcastRuns(x.shape, reps) : undefined;
    if (runs === undefined) return stock(args);
    const { outer, times, inner } = runs;
    const backend = args.backend as BackendWasm;
    const outShape = x.shape.map((d, i) => d * (reps[i] ?? 1));
    const out = backend.makeOutput(outShape, x.dtype);
    // Views after makeOutput: allocating may grow (and detach) the wasm heap.
    const input = backend.typedArrayFromHeap(x);
    const output = backend.typedArrayFromHeap(out);
    const span = inner * times;
    if (span < 256) {
      // Short blocks ([N, H, W, 1] to [N, H, W, 3]): per-block calls would cost more than a loop.
      for (let o = 0, at = 0; o < outer; o++) {
        const from = o * inner;
        for (let t = 0; t < times; t++)
          for (let k = 0; k < inner; k++) output[at++] = input[from + k]!;
      }
      return out;
    }
    for (let o = 0; o < outer; o++) {
      const base = o * span;
      output.set(input.subarray(o * inner, (o + 1) * inner), base);
      for (let filled = inner; filled < span; filled *= 2) {
        output.copyWithin(base + filled, base, base + Math.min(filled, span - filled));
      }
    }
    return out;
  };
}

export function tileConfig(stock: KernelFunc): KernelConfig {
  return { kernelName: Tile, backendName: WASM, kernelFunc: tileRepeat(stock) };
}
