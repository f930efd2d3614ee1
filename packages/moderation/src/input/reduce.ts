/**
 * Image reduction the way libvips' `resize` does it with the Lanczos-3 kernel (sharp's default):
 * a box shrink by the integer factor that leaves 2-3x to go, then a Lanczos-3 reduce, each output
 * pixel centred on its footprint ((x + 0.5) * scale - 0.5) with edge pixels repeated beyond the
 * border. The tables are built here and run by gan-core's `resampleWeighted` (natively where its
 * addon is built), in doubles: results differ from sharp in rounding only (sharp rounds every
 * channel to 8 bits after each pass, and a side that is not a multiple of the box factor gets equal
 * fractional boxes here where libvips repeats the last pixel into a partial box).
 *
 * Why not sharp itself: one sharp pipeline costs ~2 ms of CPU to set up, whatever its size, and
 * the detectors reduce every upload several times (PDQ regions, the synthetic detector's input).
 * The profile signatures' area-average tables ({@link areaWeights}) are kept here too.
 */
import { resampleWeighted, type AxisWeights, type WeightStage } from '@ganmod/gan-core';
import type { RgbImage } from './decode.js';

/** libvips' integer box-shrink factor: it leaves at least the final 2x to the Lanczos kernel. */
function boxFactor(length: number, out: number): number {
  return Math.max(1, Math.floor(length / (2 * out)));
}

function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}

/**
 * Weight tables kept per (axis length, output length). A long-running worker meets every length
 * up to the largest side it accepts; the box tables grow with the length, so without a bound they
 * would add up to ~100 MB. Past the bound the cache starts over (lengths repeat within an upload,
 * not across).
 */
const MAX_CACHED_LENGTHS = 256;
const lanczosCache = new Map<number, AxisWeights>();
const boxCache = new Map<number, AxisWeights>();
const areaCache = new Map<number, AxisWeights>();

function cached(
  cache: Map<number, AxisWeights>,
  length: number,
  out: number,
  build: () => AxisWeights,
): AxisWeights {
  const key = length * 65_536 + out;
  const known = cache.get(key);
  if (known) return known;
  const weights = build();
  if (cache.size >= MAX_CACHED_LENGTHS) cache.clear();
  cache.set(key, weights);
  return weights;
}

/**
 * Lanczos-3 weights from `length` samples to `n`, the kernel widened by the shrink factor
 * (antialiasing); taps beyond the edge read the edge sample.
 */
function lanczosWeights(length: number, n: number): AxisWeights {
  return cached(lanczosCache, length, n, () => {
    const scale = length / n;
    const support = 3 * Math.max(1, scale);
    const first = new Int32Array(n);
    const count = new Int32Array(n);
    const offset = new Int32Array(n);
    const w: number[] = [];
    for (let i = 0; i < n; i++) {
      const centre = (i + 0.5) * scale - 0.5;
      const lo = Math.ceil(centre - support);
      const hi = Math.floor(centre + support);
      // Fold taps outside [0, length) onto the edge sample (libvips extends the image by copying).
      const from = Math.max(0, lo);
      const to = Math.min(length - 1, hi);
      const taps = new Float64Array(to - from + 1);
      let total = 0;
      for (let p = lo; p <= hi; p++) {
        const v = lanczos3((p - centre) / Math.max(1, scale));
        taps[Math.min(to, Math.max(from, p)) - from]! += v;
        total += v;
      }
      first[i] = from;
      count[i] = taps.length;
      offset[i] = w.length;
      for (const t of taps) w.push(t / total);
    }
    return { first, count, offset, w: Float64Array.from(w) };
  });
}

/**
 * Area shares of `length` samples in `cells` cells of `length / cells` samples each, each cell's
 * weights summing to 1: `lastEndsAtLength` ends the last cell at `length` exactly (not at
 * `cells * step`, which rounding can leave just short), `round` rounds each weight.
 */
function cellShares(
  length: number,
  cells: number,
  lastEndsAtLength: boolean,
  round: (w: number) => number,
): AxisWeights {
  const step = length / cells;
  const first = new Int32Array(cells);
  const count = new Int32Array(cells);
  const offset = new Int32Array(cells);
  const w: number[] = [];
  for (let c = 0; c < cells; c++) {
    const a = c * step;
    const z = lastEndsAtLength && c === cells - 1 ? length : a + step;
    const lo = Math.floor(a);
    const hi = Math.min(length - 1, Math.ceil(z) - 1);
    first[c] = lo;
    count[c] = hi - lo + 1;
    offset[c] = w.length;
    for (let k = lo; k <= hi; k++) w.push(round((Math.min(z, k + 1) - Math.max(a, k)) / step));
  }
  return { first, count, offset, w: Float64Array.from(w) };
}

/**
 * Box weights from `length` samples to `ceil(length / factor)` equal cells (whole pixels when the
 * factor divides the length, area shares otherwise), each cell's weights summing to 1.
 */
function boxWeights(length: number, out: number): AxisWeights {
  return cached(boxCache, length, out, () =>
    cellShares(length, Math.ceil(length / boxFactor(length, out)), true, (w) => w),
  );
}

/**
 * Area-average weights of `length` samples onto `bins` bins, each bin's weights summing to 1,
 * rounded to float32 (the profile signatures' grid has always used these values). Unlike
 * {@link boxWeights}, every bin is `length / bins` wide, the last one included.
 */
export function areaWeights(length: number, bins: number): AxisWeights {
  return cached(areaCache, length, bins, () => cellShares(length, bins, false, Math.fround));
}

/**
 * The two separable stages of libvips' Lanczos-3 `resize` from `width` x `height` to
 * `outWidth` x `outHeight` (aspect not kept): the box shrink, then the Lanczos-3 reduce.
 */
export function reduceStages(
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): WeightStage[] {
  const bx = boxWeights(width, outWidth);
  const by = boxWeights(height, outHeight);
  return [
    { x: bx, y: by },
    { x: lanczosWeights(bx.first.length, outWidth), y: lanczosWeights(by.first.length, outHeight) },
  ];
}

/** One reduced channel, reused from call to call (reduction is synchronous). */
let channelScratch = new Float32Array(0);

/**
 * `image` reduced to `outWidth` x `outHeight` RGB (aspect not kept) as sharp's
 * `resize(w, h, { fit: 'fill' })` would, rounded to 8-bit values (returned as floats 0-255,
 * interleaved).
 */
export function reduceRgb(image: RgbImage, outWidth: number, outHeight: number): Float32Array {
  const { width, height, data } = image;
  if (channelScratch.length < outWidth * outHeight) {
    channelScratch = new Float32Array(outWidth * outHeight);
  }
  const channel = channelScratch.subarray(0, outWidth * outHeight);
  const stages = reduceStages(width, height, outWidth, outHeight);
  const region = { left: 0, top: 0, width, height };
  const out = new Float32Array(outWidth * outHeight * 3);
  for (let c = 0; c < 3; c++) {
    const source = { data, stride: width, channels: 3, channel: c };
    resampleWeighted(source, region, stages, channel, 0, 255);
    for (let p = 0, q = c; p < channel.length; p++, q += 3) out[q] = Math.round(channel[p]!);
  }
  return out;
}
