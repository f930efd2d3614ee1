/**
 * The second signal for low-detail images whose PDQ bits and DCT signature both move under a
 * resample (MATE's `Stripes.png`: fine vertical stripes). It keeps the picture's luminance
 * profiles: the median of every column (and of every row) of the picture area-averaged to 128 x 128,
 * with the slow trend (vignette, lighting) taken out and scaled to unit variance. A median ignores
 * meme text over the top and bottom rows; the normalisation ignores brightness and contrast; a
 * mirror reverses a profile and a quarter turn swaps the two; a crop is a window of the banked
 * profile, found by sliding and scaling. A stored signature matches when, in one orientation,
 * each of its profiles that carries detail correlates at least {@link PROFILE_MATCH_CORRELATION}
 * with the upload's (a flat axis, such as the length of vertical stripes, is not compared).
 *
 * Only pictures whose profiles carry structure are signed ({@link profileDetail}): a smooth
 * gradient's profile correlates with any other gradient.
 */
import { resampleWeighted } from '@ganmod/gan-core';
import { ModerationConfigError } from '../errors.js';
import type { RgbImage } from '../input/decode.js';
import { areaWeights } from '../input/reduce.js';
import type { Region } from '../pdq/image.js';
import type { DihedralTransform } from '../pdq/pdq.js';
import { imageLuma } from '../pdq/resample.js';

/** Row `algorithm` of a profile signature in a hash bank. */
export const PROFILE_SIGNATURE_ALGORITHM = 'luma-profile128';
/**
 * Every compared profile must correlate at least this well (Pearson, after detrending). Measured
 * on the photo set: Stripes' copies under the 14 edits score 0.97-1.00; the 375 negatives reach at
 * most 0.78 against the banked profile rows.
 */
export const PROFILE_MATCH_CORRELATION = 0.9;
/** Bins per profile. */
export const PROFILE_BINS = 128;
/** Width (bins) of the moving average taken out as the slow trend. */
const TREND_WINDOW = 17;
/** The coarse grid's best is refined only from this far below the threshold (measured: a true
 * match's coarse best is within 0.1 of its refined one). */
const REFINE_MARGIN = 0.2;
/** Smallest share of each side a matched upload may show of the banked picture (crops). */
const MIN_KEEP = 0.85;
/** Scale steps tried between {@link MIN_KEEP} and 1. */
const KEEP_STEP = 0.025;

/** A picture's two detrended, unit-variance profiles. */
export interface ProfileSignature {
  /** One value per column, left to right. */
  columns: Float32Array;
  /** One value per row, top to bottom. */
  rows: Float32Array;
  /** Raw standard deviation of the detrended profiles (0..255 scale), for {@link profileDetail}. */
  detail: { columns: number; rows: number };
}

/** Median of `values` (reordered in place): Hoare's selection, expected linear time. */
function median(values: Float32Array): number {
  const select = (k: number): number => {
    let lo = 0;
    let hi = values.length - 1;
    while (lo < hi) {
      const pivot = values[(lo + hi) >> 1]!;
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (values[i]! < pivot) i++;
        while (values[j]! > pivot) j--;
        if (i <= j) {
          const t = values[i]!;
          values[i] = values[j]!;
          values[j] = t;
          i++;
          j--;
        }
      }
      if (k <= j) hi = j;
      else if (k >= i) lo = i;
      else return values[k]!;
    }
    return values[k]!;
  };
  const mid = values.length >> 1;
  if (values.length % 2) return select(mid);
  return (select(mid - 1) + select(mid)) / 2;
}

/** Takes out a centred moving average (edges use the part of the window that exists). */
function detrend(profile: Float32Array): Float32Array {
  const n = profile.length;
  const half = TREND_WINDOW >> 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let count = 0;
    for (let k = Math.max(0, i - half); k <= Math.min(n - 1, i + half); k++) {
      sum += profile[k]!;
      count++;
    }
    out[i] = profile[i]! - sum / count;
  }
  return out;
}

/** Zero mean, unit variance; returns the standard deviation before scaling. */
function standardise(v: Float32Array): number {
  let mean = 0;
  for (const x of v) mean += x;
  mean /= v.length;
  let sq = 0;
  for (const x of v) sq += (x - mean) ** 2;
  const sd = Math.sqrt(sq / v.length);
  for (let i = 0; i < v.length; i++) v[i] = sd > 0 ? (v[i]! - mean) / sd : 0;
  return sd;
}

/**
 * The region of `image` in luma (the float32 BT.601 plane PDQ reads, computed once per image),
 * area-averaged to PROFILE_BINS x PROFILE_BINS (row-major): columns first, the rows kept in
 * float32 between the passes, as the grid has always been computed (gan-core's `resampleWeighted`, natively
 * where its addon is built).
 */
function lumaGrid(image: RgbImage, region: Region): Float32Array {
  const n = PROFILE_BINS;
  const grid = new Float32Array(n * n);
  const stage = {
    x: areaWeights(region.width, n),
    y: areaWeights(region.height, n),
    roundAcross: true,
  };
  resampleWeighted({ data: imageLuma(image), stride: image.width }, region, [stage], grid);
  return grid;
}

/**
 * The profiles of `image` (or of a region of it): luma area-averaged to 128 x 128, the median of
 * each column and of each row, detrended and standardised.
 *
 * @throws {@link ModerationConfigError} when the region lies outside the image or is empty.
 */
export function profileSignature(image: RgbImage, region?: Region): ProfileSignature {
  const r = region ?? { left: 0, top: 0, width: image.width, height: image.height };
  if (
    r.width < 1 ||
    r.height < 1 ||
    r.left < 0 ||
    r.top < 0 ||
    r.left + r.width > image.width ||
    r.top + r.height > image.height
  ) {
    throw new ModerationConfigError(
      `Profile region ${JSON.stringify(r)} is not inside the ${image.width}x${image.height} image`,
    );
  }
  const grid = lumaGrid(image, r);
  const n = PROFILE_BINS;
  const line = new Float32Array(n);
  const columns = new Float32Array(n);
  const rows = new Float32Array(n);
  for (let x = 0; x < n; x++) {
    for (let y = 0; y < n; y++) line[y] = grid[y * n + x]!;
    columns[x] = median(line);
  }
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) line[x] = grid[y * n + x]!;
    rows[y] = median(line);
  }
  const c = detrend(columns);
  const rw = detrend(rows);
  const detail = { columns: standardise(c), rows: standardise(rw) };
  return { columns: c, rows: rw, detail };
}

/**
 * How much structure the profiles carry: the larger standard deviation of the two detrended
 * profiles (grey levels). A vignette or a smooth gradient scores ~0; fine stripes several levels.
 */
export function profileDetail(signature: ProfileSignature): number {
  return Math.max(signature.detail.columns, signature.detail.rows);
}

/** Hex form ({@link PROFILE_HEX_LENGTH} digits): both profiles as int8, columns first, scaled to the
 * largest value, then each profile's detail in tenths of a grey level (one byte each, capped). */
export function profileSignatureHex(signature: ProfileSignature): string {
  let max = 0;
  for (const v of [signature.columns, signature.rows])
    for (const x of v) max = Math.max(max, Math.abs(x));
  const scale = max > 0 ? 127 / max : 0;
  let hex = '';
  for (const v of [signature.columns, signature.rows]) {
    for (const x of v) hex += (Math.round(x * scale) & 0xff).toString(16).padStart(2, '0');
  }
  for (const d of [signature.detail.columns, signature.detail.rows]) {
    hex += Math.min(255, Math.round(d * 10))
      .toString(16)
      .padStart(2, '0');
  }
  return hex;
}

/** Length of {@link profileSignatureHex}. */
export const PROFILE_HEX_LENGTH = PROFILE_BINS * 4 + 4;

/** A stored signature: both profiles, standardised, and their detail. */
export interface StoredProfile {
  columns: Float32Array;
  rows: Float32Array;
  detail: { columns: number; rows: number };
}

/** Parses {@link profileSignatureHex}. @throws {@link ModerationConfigError} on malformed hex. */
export function parseProfileSignature(hex: string): StoredProfile {
  if (hex.length !== PROFILE_HEX_LENGTH || !/^[0-9a-f]*$/i.test(hex)) {
    throw new ModerationConfigError(
      `A ${PROFILE_SIGNATURE_ALGORITHM} signature is ${PROFILE_HEX_LENGTH} hex digits, got ${hex.length} characters`,
    );
  }
  const byte = (k: number) => parseInt(hex.slice(2 * k, 2 * k + 2), 16);
  const values = new Float32Array(PROFILE_BINS * 2);
  for (let k = 0; k < values.length; k++) {
    const b = byte(k);
    values[k] = b > 127 ? b - 256 : b;
  }
  const columns = values.slice(0, PROFILE_BINS);
  const rows = values.slice(PROFILE_BINS);
  standardise(columns);
  standardise(rows);
  const n = PROFILE_BINS * 2;
  return { columns, rows, detail: { columns: byte(n) / 10, rows: byte(n + 1) / 10 } };
}

/** Writes `stored[start .. start + span]`, linearly resampled, into `window`; returns its mean. */
function resampleWindow(
  stored: Float32Array,
  start: number,
  span: number,
  window: Float32Array,
): number {
  const n = stored.length;
  const m = window.length;
  let mean = 0;
  for (let i = 0; i < m; i++) {
    const pos = Math.min(n - 1, Math.max(0, start + (span * i) / (m - 1)));
    const k = Math.min(n - 2, Math.floor(pos));
    const f = pos - k;
    const v = stored[k]! * (1 - f) + stored[k + 1]! * f;
    window[i] = v;
    mean += v;
  }
  return mean / m;
}

/** Pearson correlation of standardised `query` with `stored[start .. start + span]`, resampled. */
function windowCorrelation(
  stored: Float32Array,
  query: Float32Array,
  start: number,
  span: number,
  window: Float32Array,
): number {
  const m = query.length;
  const mean = resampleWindow(stored, start, span, window);
  let sw = 0;
  let sq = 0;
  for (let i = 0; i < m; i++) {
    const w = window[i]! - mean;
    sw += w * query[i]!;
    sq += w * w;
  }
  // query is standardised (mean 0, variance 1): corr = sum(w*q) / (m * sd(w)).
  return sq > 0 ? sw / Math.sqrt(sq * m) : 0;
}

/** A stored profile's coarse windows, resampled to PROFILE_BINS and standardised, computed once. */
const coarseCache = new WeakMap<Float32Array, { keep: number; start: number; w: Float32Array }[]>();

function coarseWindows(stored: Float32Array): { keep: number; start: number; w: Float32Array }[] {
  let windows = coarseCache.get(stored);
  if (!windows) {
    windows = [];
    const n = stored.length;
    for (let keep = 1; keep >= MIN_KEEP - 1e-9; keep -= KEEP_STEP) {
      const slack = (1 - keep) * (n - 1);
      for (let start = 0; start <= slack + 1e-9; start += 1) {
        const w = new Float32Array(PROFILE_BINS);
        resampleWindow(stored, start, keep * (n - 1), w);
        standardise(w);
        windows.push({ keep, start, w });
      }
    }
    coarseCache.set(stored, windows);
  }
  return windows;
}

/**
 * Best Pearson correlation of `query` with a window of `stored` covering `keep` (MIN_KEEP..1) of it
 * at any offset, the window resampled linearly to the query's length: a coarse grid (whole bins,
 * {@link KEEP_STEP}, windows cached per stored profile), then, when the coarse best reaches
 * `refineFrom`, a finer grid around it.
 */
function bestWindowCorrelation(
  stored: Float32Array,
  query: Float32Array,
  refineFrom: number,
): number {
  const n = stored.length;
  const m = query.length;
  let best = { r: -1, keep: 1, start: 0 };
  for (const { keep, start, w } of coarseWindows(stored)) {
    let dot = 0;
    for (let i = 0; i < m; i++) dot += w[i]! * query[i]!;
    const r = dot / m;
    if (r > best.r) best = { r, keep, start };
  }
  if (best.r < refineFrom) return best.r;
  const coarse = best;
  const window = new Float32Array(m);
  for (let dk = -KEEP_STEP / 2; dk <= KEEP_STEP / 2 + 1e-9; dk += KEEP_STEP / 10) {
    const keep = Math.min(1, coarse.keep + dk);
    const slack = (1 - keep) * (n - 1);
    for (let ds = -1; ds <= 1 + 1e-9; ds += 0.25) {
      const start = Math.min(slack, Math.max(0, coarse.start + ds));
      const r = windowCorrelation(stored, query, start, keep * (n - 1), window);
      if (r > best.r) best = { r, keep, start };
    }
  }
  return best.r;
}

function reversed(v: Float32Array): Float32Array {
  return Float32Array.from(v).reverse();
}

/**
 * The upload orientations (as {@link DihedralTransform}s of the upload that bring it back to the
 * banked picture) and which upload profile, reversed or not, then lines up with each stored one.
 */
const ORIENTATIONS: readonly {
  transform: DihedralTransform;
  swap: boolean;
  reverseColumns: boolean;
  reverseRows: boolean;
}[] = [
  { transform: 'original', swap: false, reverseColumns: false, reverseRows: false },
  { transform: 'flipHorizontal', swap: false, reverseColumns: true, reverseRows: false },
  { transform: 'flipVertical', swap: false, reverseColumns: false, reverseRows: true },
  { transform: 'rotate180', swap: false, reverseColumns: true, reverseRows: true },
  { transform: 'transpose', swap: true, reverseColumns: false, reverseRows: false },
  { transform: 'rotate90', swap: true, reverseColumns: false, reverseRows: true },
  { transform: 'rotate270', swap: true, reverseColumns: true, reverseRows: false },
  { transform: 'antiTranspose', swap: true, reverseColumns: true, reverseRows: true },
];

/** A profile is compared only when it carries at least this much detail (grey levels). */
export const PROFILE_MIN_DETAIL = 3;

/**
 * How well an upload's profiles line up with a stored signature: over the dihedral orientations,
 * the best of the smaller correlation of the profile pairs whose stored profile carries detail
 * (a flat axis, such as the length of vertical stripes, says nothing). -1 when neither does;
 * orientations whose first profile falls below `minSimilarity` are not scored further, so an
 * answer below it is only a lower bound.
 */
export function profileSimilarity(
  stored: StoredProfile,
  query: ProfileSignature,
  minSimilarity = PROFILE_MATCH_CORRELATION,
): { similarity: number; transform: DihedralTransform } {
  const useColumns = stored.detail.columns >= PROFILE_MIN_DETAIL;
  const useRows = stored.detail.rows >= PROFILE_MIN_DETAIL;
  let best = { similarity: -1, transform: 'original' as DihedralTransform };
  if (!useColumns && !useRows) return best;
  const cache = new Map<string, number>();
  const corr = (storedAxis: 'columns' | 'rows', queryAxis: 'columns' | 'rows', rev: boolean) => {
    const key = `${storedAxis}${queryAxis}${rev}`;
    let r = cache.get(key);
    if (r === undefined) {
      const q = rev ? reversed(query[queryAxis]) : query[queryAxis];
      r = bestWindowCorrelation(stored[storedAxis], q, minSimilarity - REFINE_MARGIN);
      cache.set(key, r);
    }
    return r;
  };
  for (const o of ORIENTATIONS) {
    // After a quarter turn the upload's rows run along the stored picture's columns.
    let s = Infinity;
    if (useColumns)
      s = o.swap
        ? corr('columns', 'rows', o.reverseRows)
        : corr('columns', 'columns', o.reverseColumns);
    if (s < minSimilarity) continue; // the second profile cannot lift the smaller correlation
    if (useRows && s > best.similarity)
      s = Math.min(
        s,
        o.swap ? corr('rows', 'columns', o.reverseColumns) : corr('rows', 'rows', o.reverseRows),
      );
    if (s > best.similarity) best = { similarity: s, transform: o.transform };
  }
  return best;
}
