/**
 * PDQ perceptual hash (Meta ThreatExchange, 2019), ported from the reference algorithm:
 * RGB -> luma, Jarosz tent-filter blur, decimation to 64x64, image-domain quality metric,
 * 16x16 low-frequency DCT (skipping the DC row/column), and one bit per coefficient above the median.
 * The eight dihedral variants (rotations, flips) are sign/transpose changes of that DCT.
 */
import type { Hash256 } from './hash256.js';

/** PDQ's recommended distance threshold for a match. */
export const PDQ_MATCH_DISTANCE = 31;
/** Below this quality a hash is too featureless (flat, tiny) to be trusted. */
export const PDQ_MIN_QUALITY = 50;

/** The 8 symmetries of the square: PDQ's "dihedral" hash variants. */
export const DIHEDRAL_TRANSFORMS = [
  'original',
  'rotate90',
  'rotate180',
  'rotate270',
  'flipVertical',
  'flipHorizontal',
  'transpose',
  'antiTranspose',
] as const;
/** One of {@link DIHEDRAL_TRANSFORMS}. `flipHorizontal` is a left-right mirror. */
export type DihedralTransform = (typeof DIHEDRAL_TRANSFORMS)[number];

/** PDQ output for one image. */
export interface PdqResult {
  hash: Hash256;
  /** 0..100; see {@link PDQ_MIN_QUALITY}. */
  quality: number;
  /** The 16x16 DCT the hash was thresholded from (row-major), kept to derive dihedral variants. */
  dct: Float64Array;
}

const LUMA_R = 0.299;
const LUMA_G = 0.587;
const LUMA_B = 0.114;
const BUFFER_SIDE = 64;
const DCT_SIDE = 16;
const MIN_HASHABLE_SIDE = 5;

/** Rows 1..16 of the 64-point DCT-II basis (row 0, the mean, carries no structure). */
const DCT_MATRIX: Float64Array = (() => {
  const m = new Float64Array(DCT_SIDE * BUFFER_SIDE);
  const scale = Math.sqrt(2 / BUFFER_SIDE);
  for (let i = 0; i < DCT_SIDE; i++) {
    for (let j = 0; j < BUFFER_SIDE; j++) {
      m[i * BUFFER_SIDE + j] =
        scale * Math.cos((Math.PI / 2 / BUFFER_SIDE) * (i + 1) * (2 * j + 1));
    }
  }
  return m;
})();

/**
 * Box-filter window per axis: two X,Y passes of half a 64th of the side each make a tent filter
 * whose support is one output cell.
 */
function jaroszWindow(side: number): number {
  return Math.floor((side + 2 * BUFFER_SIDE - 1) / (2 * BUFFER_SIDE));
}

/**
 * Centered moving average of `count` values read at `input[offset + k*stride]`, written likewise
 * to `output`. Near the edges the window shrinks instead of padding, as in the reference.
 */
function boxFilter1d(
  input: Float32Array,
  output: Float32Array,
  offset: number,
  stride: number,
  count: number,
  window: number,
): void {
  const half = Math.floor((window + 2) / 2);
  let sum = 0;
  let size = 0;
  let right = 0;
  let left = 0;
  let out = 0;
  const at = (k: number): number => input[offset + k * stride] ?? 0;
  // Fill the leading half-window without writing.
  for (let k = 0; k < half - 1 && right < count; k++, right++) {
    sum += at(right);
    size++;
  }
  // Grow the window while writing.
  for (let k = 0; k < window - half + 1 && right < count; k++, right++, out++) {
    sum += at(right);
    size++;
    output[offset + out * stride] = sum / size;
  }
  // Slide the full window.
  for (; right < count; right++, left++, out++) {
    sum += at(right) - at(left);
    output[offset + out * stride] = sum / size;
  }
  // Shrink the window at the trailing edge.
  for (; out < count; left++, out++) {
    sum -= at(left);
    size--;
    output[offset + out * stride] = sum / size;
  }
}

function jaroszFilter(luma: Float32Array, width: number, height: number): void {
  const scratch = new Float32Array(luma.length);
  const windowAlongRows = jaroszWindow(width);
  const windowAlongCols = jaroszWindow(height);
  for (let pass = 0; pass < 2; pass++) {
    for (let r = 0; r < height; r++)
      boxFilter1d(luma, scratch, r * width, 1, width, windowAlongRows);
    for (let c = 0; c < width; c++) boxFilter1d(scratch, luma, c, width, height, windowAlongCols);
  }
}

/** Counts significant luminance steps between neighbouring cells of the 64x64 buffer. */
function qualityMetric(buffer: Float32Array): number {
  let gradientSum = 0;
  for (let i = 0; i < BUFFER_SIDE - 1; i++) {
    for (let j = 0; j < BUFFER_SIDE; j++) {
      const u = buffer[i * BUFFER_SIDE + j]!;
      const v = buffer[(i + 1) * BUFFER_SIDE + j]!;
      gradientSum += Math.abs(Math.trunc(((u - v) * 100) / 255));
    }
  }
  for (let i = 0; i < BUFFER_SIDE; i++) {
    for (let j = 0; j < BUFFER_SIDE - 1; j++) {
      const u = buffer[i * BUFFER_SIDE + j]!;
      const v = buffer[i * BUFFER_SIDE + j + 1]!;
      gradientSum += Math.abs(Math.trunc(((u - v) * 100) / 255));
    }
  }
  return Math.min(100, Math.trunc(gradientSum / 90));
}

/** B = D A D^T, computing only the 16x16 block the hash uses. */
function dct64To16(buffer: Float32Array): Float64Array {
  // Row i of D times A, accumulated row by row of A: each temp[i][j] still sums k = 0..63 in order.
  const temp = new Float64Array(DCT_SIDE * BUFFER_SIDE);
  for (let i = 0; i < DCT_SIDE; i++) {
    const d = i * BUFFER_SIDE;
    for (let k = 0; k < BUFFER_SIDE; k++) {
      const c = DCT_MATRIX[d + k]!;
      const a = k * BUFFER_SIDE;
      for (let j = 0; j < BUFFER_SIDE; j++) temp[d + j]! += c * buffer[a + j]!;
    }
  }
  const out = new Float64Array(DCT_SIDE * DCT_SIDE);
  for (let i = 0; i < DCT_SIDE; i++) {
    const t = i * BUFFER_SIDE;
    for (let j = 0; j < DCT_SIDE; j++) {
      const d = j * BUFFER_SIDE;
      let sum = 0;
      for (let k = 0; k < BUFFER_SIDE; k++) sum += temp[t + k]! * DCT_MATRIX[d + k]!;
      out[i * DCT_SIDE + j] = sum;
    }
  }
  return out;
}

const COEFFICIENTS = DCT_SIDE * DCT_SIDE;
/** Scratch for {@link medianOf}; hashing is synchronous, so one buffer serves every call. */
const selectScratch = new Float64Array(COEFFICIENTS);

/**
 * Element 127 of the 256 values sorted ascending, by Hoare selection on a scratch copy (expected
 * linear time; the value is the one a full sort would put there).
 */
function medianOf(values: Float64Array): number {
  const a = selectScratch;
  a.set(values);
  const k = COEFFICIENTS / 2 - 1;
  let lo = 0;
  let hi = COEFFICIENTS - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

function thresholdBits(dct: Float64Array, median: number): Hash256 {
  const hash = new Uint32Array(8);
  for (let k = 0; k < COEFFICIENTS; k++) {
    if (dct[k]! > median) hash[k >> 5] = (hash[k >> 5]! | (1 << (k & 31))) >>> 0;
  }
  return hash;
}

/** One bit per DCT coefficient: set when strictly above the median (element 127 of 256 sorted). */
export function hashFromDct(dct: Float64Array): Hash256 {
  return thresholdBits(dct, medianOf(dct));
}

/**
 * PDQ of a luminance image (row-major, values 0..255). The input buffer is blurred in place.
 * Images under 5 pixels on a side get an all-zero hash with quality 0, as in the reference.
 */
export function pdqFromLuma(luma: Float32Array, width: number, height: number): PdqResult {
  return hashLuma(luma, width, height, true);
}

function hashLuma(luma: Float32Array, width: number, height: number, blur: boolean): PdqResult {
  if (width < MIN_HASHABLE_SIDE || height < MIN_HASHABLE_SIDE) {
    return { hash: new Uint32Array(8), quality: 0, dct: new Float64Array(DCT_SIDE * DCT_SIDE) };
  }
  if (blur) jaroszFilter(luma, width, height);
  // Decimate, sampling at cell centres (the identity at 64x64).
  const buffer =
    width === BUFFER_SIDE && height === BUFFER_SIDE
      ? luma
      : new Float32Array(BUFFER_SIDE * BUFFER_SIDE);
  for (let i = 0; buffer !== luma && i < BUFFER_SIDE; i++) {
    const row = Math.floor(((i + 0.5) * height) / BUFFER_SIDE);
    for (let j = 0; j < BUFFER_SIDE; j++) {
      const col = Math.floor(((j + 0.5) * width) / BUFFER_SIDE);
      buffer[i * BUFFER_SIDE + j] = luma[row * width + col] ?? 0;
    }
  }
  const quality = qualityMetric(buffer);
  const dct = dct64To16(buffer);
  return { hash: hashFromDct(dct), quality, dct };
}

/**
 * PDQ of a picture already resampled to 64x64 luma (row-major, 0..255), as `image.ts` makes it:
 * at that size both box windows are 1 pixel wide and the blur is the identity, so it is skipped.
 */
export function pdqFromPicture64(luma: Float32Array): PdqResult {
  if (luma.length !== BUFFER_SIDE * BUFFER_SIDE)
    throw new RangeError(`expected ${BUFFER_SIDE}x${BUFFER_SIDE} luma, got ${luma.length} values`);
  return hashLuma(luma, BUFFER_SIDE, BUFFER_SIDE, false);
}

/** PDQ of interleaved 8-bit RGB pixels. */
export function pdqFromRgb(rgb: Uint8Array, width: number, height: number): PdqResult {
  const luma = new Float32Array(width * height);
  for (let p = 0, q = 0; p < luma.length; p++, q += 3) {
    luma[p] = LUMA_R * (rgb[q] ?? 0) + LUMA_G * (rgb[q + 1] ?? 0) + LUMA_B * (rgb[q + 2] ?? 0);
  }
  // Up to 128 px a side (the 64x64 resample every region is hashed from) both box windows are 1
  // pixel wide and the filter is the identity: 8-bit luma values are multiples of 2^-27 below 256,
  // so its running sums are exact in doubles. Skipping it changes no bit.
  const blur = jaroszWindow(width) > 1 || jaroszWindow(height) > 1;
  return hashLuma(luma, width, height, blur);
}

/**
 * Per transform: which coefficients change sign (0: none, 1: odd vertical frequency (i even),
 * 2: odd horizontal frequency (j even), 3: odd i+j) and whether the axes swap. Horizontal
 * frequency j+1 changes sign under a left-right mirror when odd (j even); likewise rows for a
 * top-bottom flip; a transpose swaps axes.
 */
const TRANSFORM_RULES: Readonly<Record<DihedralTransform, { sign: 0 | 1 | 2 | 3; swap: boolean }>> =
  {
    original: { sign: 0, swap: false },
    rotate90: { sign: 2, swap: true },
    rotate180: { sign: 3, swap: false },
    rotate270: { sign: 1, swap: true },
    flipVertical: { sign: 1, swap: false },
    flipHorizontal: { sign: 2, swap: false },
    transpose: { sign: 0, swap: true },
    antiTranspose: { sign: 3, swap: true },
  };

function negated(sign: 0 | 1 | 2 | 3, i: number, j: number): boolean {
  if (sign === 1) return (i & 1) === 0;
  if (sign === 2) return (j & 1) === 0;
  if (sign === 3) return ((i + j) & 1) === 1;
  return false;
}

/** The DCT the image would have after `transform` (see {@link TRANSFORM_RULES}). */
export function transformDct(dct: Float64Array, transform: DihedralTransform): Float64Array {
  const { sign, swap } = TRANSFORM_RULES[transform];
  const out = new Float64Array(COEFFICIENTS);
  for (let i = 0; i < DCT_SIDE; i++) {
    for (let j = 0; j < DCT_SIDE; j++) {
      const a = dct[i * DCT_SIDE + j]!;
      out[swap ? j * DCT_SIDE + i : i * DCT_SIDE + j] = negated(sign, i, j) ? -a : a;
    }
  }
  return out;
}

/**
 * Hashes of the requested dihedral variants of an already-hashed image. A transpose only moves
 * coefficients, so variants with the same sign rule share one median.
 */
export function dihedralHashes(
  result: PdqResult,
  transforms: readonly DihedralTransform[] = DIHEDRAL_TRANSFORMS,
): Map<DihedralTransform, Hash256> {
  const out = new Map<DihedralTransform, Hash256>();
  const medians: (number | undefined)[] = [];
  for (const t of transforms) {
    if (t === 'original') {
      out.set(t, result.hash);
      continue;
    }
    const dct = transformDct(result.dct, t);
    const sign = TRANSFORM_RULES[t].sign;
    const median = (medians[sign] ??= medianOf(dct));
    out.set(t, thresholdBits(dct, median));
  }
  return out;
}
