/**
 * Resampling of an image channel through chains of separable weight tables, accumulated in doubles:
 * the general form of a filter pipeline such as libvips' box shrink followed by Lanczos-3, which
 * moderation reproduces for its PDQ hashes and detector inputs (its `src/input/reduce.ts` builds
 * the tables). The addon's loop (native/resample.cc, `ResampleWeighted`) runs the same products
 * and sums in the same order as {@link resampleWeightedJs}, so results do not depend on whether
 * the addon was built.
 */
import { loadNativeAddon, type NativeAddon } from './addon.js';

/**
 * One axis of a stage: output `i` is the sum over `k < count[i]` of `w[offset[i] + k]` times
 * input sample `first[i] + k`.
 */
export interface AxisWeights {
  first: Int32Array;
  count: Int32Array;
  offset: Int32Array;
  w: Float64Array;
}

/** One separable stage: every row across with `x`, then the rows down with `y`. */
export interface WeightStage {
  x: AxisWeights;
  y: AxisWeights;
  /**
   * Rounds the across sums to float32 before the down pass, as a Float32Array of rows between
   * the passes would (to reproduce a loop that kept one); false by default.
   */
  roundAcross?: boolean;
}

/**
 * The values resampled: one channel of a row-major image of `stride` pixels per row and
 * `channels` values per pixel (8-bit or float).
 */
export interface PlaneSource {
  data: Float32Array | Uint8Array;
  stride: number;
  /** Values per pixel; 1 by default. */
  channels?: number;
  /** The channel read, from 0; 0 by default. */
  channel?: number;
}

/** A pixel rectangle of the source plane. */
export interface PlaneRegion {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The addon's form of an axis: [n, first0, count0, w.., first1, count1, w.., ...]. Cached. */
const packedCache = new WeakMap<AxisWeights, Float64Array>();

function packed(axis: AxisWeights): Float64Array {
  const known = packedCache.get(axis);
  if (known) return known;
  const n = axis.first.length;
  let size = 1;
  for (let i = 0; i < n; i++) size += 2 + axis.count[i]!;
  const out = new Float64Array(size);
  out[0] = n;
  for (let i = 0, at = 1; i < n; i++) {
    const count = axis.count[i]!;
    out[at] = axis.first[i]!;
    out[at + 1] = count;
    out.set(axis.w.subarray(axis.offset[i], axis.offset[i]! + count), at + 2);
    at += 2 + count;
  }
  packedCache.set(axis, out);
  return out;
}

function checkAxis(axis: AxisWeights, inputs: number, name: string): void {
  const n = axis.first.length;
  if (n < 1 || axis.count.length !== n || axis.offset.length !== n) {
    throw new RangeError(`resampleWeighted: ${name} needs first, count and offset of one length`);
  }
  for (let i = 0; i < n; i++) {
    const first = axis.first[i]!;
    const count = axis.count[i]!;
    if (first < 0 || count < 1 || first + count > inputs) {
      throw new RangeError(
        `resampleWeighted: ${name} output ${i} reads samples ${first}..${first + count - 1} of ${inputs}`,
      );
    }
    if (axis.offset[i]! < 0 || axis.offset[i]! + count > axis.w.length) {
      throw new RangeError(`resampleWeighted: ${name} output ${i}'s weights are out of range`);
    }
  }
}

/** Scratch reused from call to call (resampling is synchronous). */
const scratch = { across: new Float64Array(0), a: new Float64Array(0), b: new Float64Array(0) };

function grow(key: keyof typeof scratch, length: number): Float64Array {
  if (scratch[key].length < length) scratch[key] = new Float64Array(length);
  return scratch[key];
}

/** The JavaScript implementation (the addon's where it is not built). */
export function resampleWeightedJs(
  source: PlaneSource,
  region: PlaneRegion,
  stages: readonly WeightStage[],
  dst: Float32Array,
  lo: number,
  hi: number,
): void {
  const channels = source.channels ?? 1;
  let input: Float32Array | Float64Array | Uint8Array = source.data;
  let step = channels;
  let inStride = source.stride * channels;
  let base = (region.top * source.stride + region.left) * channels + (source.channel ?? 0);
  let rows = region.height;
  stages.forEach(({ x, y, roundAcross = false }, s) => {
    const ow = x.first.length;
    const oh = y.first.length;
    const across = grow('across', rows * ow);
    for (let r = 0; r < rows; r++) {
      const row = base + r * inStride;
      for (let j = 0; j < ow; j++) {
        const at = row + x.first[j]! * step;
        const wo = x.offset[j]!;
        const count = x.count[j]!;
        let v = 0;
        for (let k = 0; k < count; k++) v += x.w[wo + k]! * input[at + k * step]!;
        across[r * ow + j] = roundAcross ? Math.fround(v) : v;
      }
    }
    const out = grow(s % 2 === 0 ? 'a' : 'b', ow * oh);
    for (let i = 0; i < oh; i++) {
      const o = i * ow;
      const wo = y.offset[i]!;
      const count = y.count[i]!;
      out.fill(0, o, o + ow);
      for (let k = 0; k < count; k++) {
        const wk = y.w[wo + k]!;
        const row = (y.first[i]! + k) * ow;
        for (let j = 0; j < ow; j++) out[o + j]! += wk * across[row + j]!;
      }
    }
    input = out;
    step = 1;
    inStride = ow;
    base = 0;
    rows = oh;
  });
  for (let i = 0; i < dst.length; i++) {
    const v = input[i]!;
    dst[i] = v < lo ? lo : v > hi ? hi : v;
  }
}

/**
 * `region` of one channel of `source` through each separable stage in turn, accumulated in
 * doubles; the last stage's output, clamped to [`lo`, `hi`], goes to `dst` (its size: the last
 * stage's x outputs times its y outputs).
 *
 * @param addon the native addon; `null` runs the JavaScript loop (same results, bit for bit).
 * @throws RangeError when the region is not inside the source, a table reads outside its input,
 *   or `dst` does not match the last stage.
 */
export function resampleWeighted(
  source: PlaneSource,
  region: PlaneRegion,
  stages: readonly WeightStage[],
  dst: Float32Array,
  lo = -Infinity,
  hi = Infinity,
  addon: NativeAddon | null = loadNativeAddon().module ?? null,
): void {
  const { left, top, width, height } = region;
  const { data, stride } = source;
  const channels = source.channels ?? 1;
  const channel = source.channel ?? 0;
  if (
    ![stride, left, top, width, height, channels, channel].every(Number.isInteger) ||
    !(stride > 0 && left >= 0 && top >= 0 && width > 0 && height > 0) ||
    !(channels > 0 && channel >= 0 && channel < channels) ||
    left + width > stride ||
    ((top + height - 1) * stride + left + width) * channels > data.length
  ) {
    throw new RangeError(
      `resampleWeighted: region ${JSON.stringify(region)} (channel ${channel} of ${channels}) is not inside a plane of ${data.length} values, ${stride} pixels per row`,
    );
  }
  if (stages.length === 0) throw new RangeError('resampleWeighted: no stage');
  let w = width;
  let h = height;
  stages.forEach(({ x, y }, s) => {
    checkAxis(x, w, `stage ${s} x`);
    checkAxis(y, h, `stage ${s} y`);
    w = x.first.length;
    h = y.first.length;
  });
  if (dst.length !== w * h) {
    throw new RangeError(`resampleWeighted: dst holds ${dst.length} values, the output ${w}x${h}`);
  }
  if (addon?.resampleWeighted) {
    const tables = stages.flatMap(({ x, y }) => [packed(x), packed(y)]);
    const geometry = [stride, left, top, width, height, channels, channel];
    const round = stages.map((stage) => (stage.roundAcross ? 1 : 0));
    addon.resampleWeighted(data, geometry, tables, dst, lo, hi, round);
  } else {
    resampleWeightedJs(source, region, stages, dst, lo, hi);
  }
}
