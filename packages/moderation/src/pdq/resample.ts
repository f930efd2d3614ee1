/**
 * The 64x64 luma picture PDQ hashes, resampled in plain TypeScript from a luma plane that is
 * computed once per image and shared by every region hashed from it in a row (the matcher hashes
 * the upload, the pictures inside its bands and two strips; the bank ~70 crops of each known image).
 *
 * It follows libvips' `resize` with the Lanczos-3 kernel, which the hashes were first computed
 * with: a box shrink by the integer factor that leaves 2-3x to go, then a Lanczos-3 reduce, each
 * output pixel centred on its footprint ((x + 0.5) * scale - 0.5) with edge pixels repeated
 * beyond the border. Both steps are symmetric, so a mirrored or rotated image resamples to the
 * mirrored or rotated picture and the dihedral hashes derived from the DCT stay those of the
 * flipped images. It differs from sharp in rounding only: sharp rounds every channel to 8 bits
 * after each pass, and a side that is not a multiple of the box factor gets equal fractional boxes
 * here (libvips repeats the last pixel into a partial box).
 */
import { ModerationConfigError } from '../errors.js';
import type { RgbImage } from '../input/decode.js';
import { SpanRowPool } from './span-rows.js';

/** Side of PDQ's working picture. */
export const PDQ_SIDE = 64;

/** A pixel rectangle of an image. */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Work kept for the image hashed last, in buffers reused from image to image: its luma and its
 * rows box-shrunk per horizontal span (callers hash one image's regions in a row).
 */
const current = {
  image: undefined as RgbImage | undefined,
  luma: new Float32Array(0),
};
const shrunkRows = new SpanRowPool((length) => new Float64Array(length));

function use(image: RgbImage): void {
  if (current.image === image) return;
  const { width, height, data } = image;
  const size = width * height;
  if (current.luma.length < size) current.luma = new Float32Array(size);
  const luma = current.luma;
  for (let p = 0, q = 0; p < size; p++, q += 3)
    luma[p] = 0.299 * data[q]! + 0.587 * data[q + 1]! + 0.114 * data[q + 2]!;
  current.image = image;
}

/**
 * BT.601 luma of `image` (float32, the values `pdqFromRgb` computes), row-major. The buffer is
 * reused for the next image: read it before asking for another image's.
 */
export function imageLuma(image: RgbImage): Float32Array {
  use(image);
  return current.luma;
}

/** libvips' integer box-shrink factor: it leaves at least the final 2x to the Lanczos kernel. */
function boxFactor(length: number): number {
  return Math.max(1, Math.floor(length / (2 * PDQ_SIDE)));
}

/**
 * Weights of one axis, flat: output `i` reads `count[i]` source samples from `first[i]`, with
 * weights `w[offset[i] ..]`.
 */
interface AxisWeights {
  first: Int32Array;
  count: Int32Array;
  offset: Int32Array;
  w: Float64Array;
}

function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (x <= -3 || x >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}

/**
 * Lanczos-3 weights from `length` samples to {@link PDQ_SIDE}, the kernel widened by the shrink
 * factor (antialiasing); taps beyond the edge read the edge sample. Cached per length.
 */
const lanczosCache = new Map<number, AxisWeights>();

/**
 * Weight tables kept per axis length. A long-running worker meets every length up to the largest
 * side it accepts; the box tables grow with the length, so without a bound they would add up to
 * ~100 MB. Past the bound the cache starts over (lengths repeat within an upload, not across).
 */
const MAX_CACHED_LENGTHS = 256;

function remember(cache: Map<number, AxisWeights>, length: number, weights: AxisWeights) {
  if (cache.size >= MAX_CACHED_LENGTHS) cache.clear();
  cache.set(length, weights);
}

function lanczosWeights(length: number): AxisWeights {
  const cached = lanczosCache.get(length);
  if (cached) return cached;
  const n = PDQ_SIDE;
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
  const weights = { first, count, offset, w: Float64Array.from(w) };
  remember(lanczosCache, length, weights);
  return weights;
}

/**
 * Box weights from `length` samples to `ceil(length / factor)` equal cells (whole pixels when the
 * factor divides the length, area shares otherwise), each cell's weights summing to 1. Cached.
 */
const boxCache = new Map<number, AxisWeights>();

function boxWeights(length: number): AxisWeights {
  const cached = boxCache.get(length);
  if (cached) return cached;
  const cells = Math.ceil(length / boxFactor(length));
  const step = length / cells;
  const first = new Int32Array(cells);
  const count = new Int32Array(cells);
  const offset = new Int32Array(cells);
  const w: number[] = [];
  for (let c = 0; c < cells; c++) {
    const a = c * step;
    const z = c === cells - 1 ? length : a + step;
    const lo = Math.floor(a);
    const hi = Math.min(length - 1, Math.ceil(z) - 1);
    first[c] = lo;
    count[c] = hi - lo + 1;
    offset[c] = w.length;
    for (let k = lo; k <= hi; k++) w.push((Math.min(z, k + 1) - Math.max(a, k)) / step);
  }
  const weights = { first, count, offset, w: Float64Array.from(w) };
  remember(boxCache, length, weights);
  return weights;
}

/** Scratch for the Lanczos passes, reused: hashing is synchronous. */
const scratch = { boxed: new Float64Array(0), across: new Float64Array(0) };

/**
 * `region` of `image` (the whole image by default) resampled to {@link PDQ_SIDE} x
 * {@link PDQ_SIDE} luma (row-major, clamped to 0..255 as 8-bit pixels would be).
 *
 * @throws {@link ModerationConfigError} when the region is empty or not inside the image.
 */
export function resampleLuma64(image: RgbImage, region?: Region): Float32Array {
  const r = region ?? { left: 0, top: 0, width: image.width, height: image.height };
  if (
    !(r.width >= 1 && r.height >= 1 && r.left >= 0 && r.top >= 0) ||
    r.left + r.width > image.width ||
    r.top + r.height > image.height ||
    ![r.left, r.top, r.width, r.height].every(Number.isInteger)
  ) {
    throw new ModerationConfigError(
      `Region ${JSON.stringify(r)} is not inside the ${image.width}x${image.height} image`,
    );
  }
  const n = PDQ_SIDE;
  use(image);
  const luma = current.luma;
  // 1. Box shrink: each row's span to bw cells (cached per span), then the rows to bh cells.
  const bx = boxWeights(r.width);
  const by = boxWeights(r.height);
  const bw = bx.first.length;
  const bh = by.first.length;
  const { values: shrunk, done } = shrunkRows.rows(image, r.left, r.width, bw);
  const { first: xFirst, count: xCount, offset: xOffset, w: xw } = bx;
  for (let y = r.top; y < r.top + r.height; y++) {
    if (done[y]) continue;
    const row = y * image.width + r.left;
    const o = y * bw;
    for (let j = 0; j < bw; j++) {
      const at = row + xFirst[j]!;
      const wo = xOffset[j]!;
      const count = xCount[j]!;
      let v = 0;
      for (let k = 0; k < count; k++) v += xw[wo + k]! * luma[at + k]!;
      shrunk[o + j] = v;
    }
    done[y] = 1;
  }
  if (scratch.boxed.length < bw * bh) scratch.boxed = new Float64Array(bw * bh);
  const boxed = scratch.boxed;
  for (let i = 0; i < bh; i++) {
    const first = r.top + by.first[i]!;
    const wo = by.offset[i]!;
    const count = by.count[i]!;
    const o = i * bw;
    boxed.fill(0, o, o + bw);
    for (let k = 0; k < count; k++) {
      const wk = by.w[wo + k]!;
      const row = (first + k) * bw;
      for (let j = 0; j < bw; j++) boxed[o + j]! += wk * shrunk[row + j]!;
    }
  }
  // 2. Lanczos-3: rows of the boxed picture to n columns, then its columns to n rows.
  const h = lanczosWeights(bw);
  if (scratch.across.length < n * bh) scratch.across = new Float64Array(n * bh);
  const across = scratch.across;
  const { first: hFirst, count: hCount, offset: hOffset, w: hw } = h;
  for (let y = 0; y < bh; y++) {
    const row = y * bw;
    for (let x = 0; x < n; x++) {
      const at = row + hFirst[x]!;
      const o = hOffset[x]!;
      const count = hCount[x]!;
      let v = 0;
      for (let k = 0; k < count; k++) v += hw[o + k]! * boxed[at + k]!;
      across[y * n + x] = v;
    }
  }
  const v = lanczosWeights(bh);
  const out = new Float32Array(n * n);
  const sum = new Float64Array(n);
  for (let y = 0; y < n; y++) {
    const first = v.first[y]!;
    const o = v.offset[y]!;
    const count = v.count[y]!;
    sum.fill(0);
    for (let k = 0; k < count; k++) {
      const wk = v.w[o + k]!;
      const row = (first + k) * n;
      for (let x = 0; x < n; x++) sum[x]! += wk * across[row + x]!;
    }
    for (let x = 0; x < n; x++) {
      const s = sum[x]!;
      out[y * n + x] = s < 0 ? 0 : s > 255 ? 255 : s;
    }
  }
  return out;
}
