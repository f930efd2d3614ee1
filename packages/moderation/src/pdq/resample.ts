/**
 * The 64x64 luma picture PDQ hashes, resampled from a luma plane that is computed once per image
 * and shared by every region hashed from it in a row (the matcher hashes the upload, the pictures
 * inside its bands and two strips; the bank ~70 crops of each known image). The weight tables are
 * built here; gan-core's `resampleWeighted` runs them (natively where its addon is built, else the
 * same sums in JavaScript, bit for bit).
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
import { resampleWeighted, type AxisWeights } from '@ganmod/gan-core';
import { ModerationConfigError } from '../errors.js';
import type { RgbImage } from '../input/decode.js';

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
 * The luma of the image hashed last, in a buffer reused from image to image (callers hash one
 * image's regions in a row).
 */
const current = {
  image: undefined as RgbImage | undefined,
  luma: new Float32Array(0),
};

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
  use(image);
  const bx = boxWeights(r.width);
  const by = boxWeights(r.height);
  const out = new Float32Array(PDQ_SIDE * PDQ_SIDE);
  // 1. Box shrink, each row's span then the rows; 2. Lanczos-3, across then down (gan-core's
  // native loop where its addon is built, the same sums in JavaScript otherwise).
  resampleWeighted(
    current.luma,
    image.width,
    r,
    [
      { x: bx, y: by },
      { x: lanczosWeights(bx.first.length), y: lanczosWeights(by.first.length) },
    ],
    out,
    0,
    255,
  );
  return out;
}
