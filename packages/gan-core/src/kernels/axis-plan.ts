/**
 * The per-axis plan of a transposed convolution (Conv2DBackpropInput) as stride-1 convolutions
 * over `dy`, one per output phase: shared by the single-conv form (conv2d-backprop-input.ts) and
 * the per-phase form (conv2d-backprop-input-phases.ts).
 */

/** How one spatial axis of the transposed conv maps onto a stride-1 conv over `dy`. */
export interface AxisPlan {
  /** Taps of the stride-1 filter. */
  taps: number;
  /** Leading padding of the stride-1 conv (also the tap index of offset 0). */
  padBefore: number;
  padAfter: number;
  /** Rows (or columns) the stride-1 conv produces, before interleaving. */
  outSize: number;
}

/**
 * Plans one axis: `k` filter size, `s` stride, `pad` the forward conv's leading padding,
 * `inSize` the forward conv's input size (the size to produce), `dySize` the gradient's size.
 */
export function planAxis(
  k: number,
  s: number,
  pad: number,
  inSize: number,
  dySize: number,
): AxisPlan {
  // dy offsets d reachable by some phase p in [0, s) and tap a in [0, k): d = (p + pad - a) / s.
  // Offset 0 is always included so that the padding stays non-negative.
  const dMin = Math.min(0, Math.ceil((pad - (k - 1)) / s));
  const dMax = Math.max(0, Math.floor((s - 1 + pad) / s));
  const taps = dMax - dMin + 1;
  const padBefore = -dMin;
  const wanted = Math.ceil(inSize / s);
  const padAfter = Math.max(0, wanted - dySize - padBefore + taps - 1);
  return { taps, padBefore, padAfter, outSize: dySize + padBefore + padAfter - taps + 1 };
}
