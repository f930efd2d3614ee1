/**
 * The second signal for low-detail images. PDQ keeps only the sign of each of its 256 DCT
 * coefficients against their median; on a smooth picture most coefficients sit near that median,
 * so JPEG or a resize flips dozens of bits (PDQ quality < 50). The coefficients themselves stay
 * put: this signature stores them (int8, scaled to the largest) and compares them by cosine
 * similarity, which ignores brightness and contrast changes. Dihedral variants come from the same
 * sign/transpose rules as PDQ's.
 */
import { ModerationConfigError } from '../errors.js';
import { type DihedralTransform, DIHEDRAL_TRANSFORMS, transformDct } from '../pdq/pdq.js';

/** Row `algorithm` of a DCT signature in a hash bank. */
export const DCT_SIGNATURE_ALGORITHM = 'pdq-dct16';
/**
 * Cosine similarity counted as a match. Measured on the photo set (README, "DCT threshold"): the
 * copies this stage matches score >= 0.956, unrelated and benign photos at most 0.913 (a quarter
 * crop of a dark photo against a near-black banked one, which 0.9 let through).
 */
export const DCT_MATCH_SIMILARITY = 0.93;

const LENGTH = 256;

/** Hex form (512 digits) of the DCT's 256 coefficients as int8. */
export function dctSignatureHex(dct: Float64Array): string {
  let max = 0;
  for (const v of dct) max = Math.max(max, Math.abs(v));
  const scale = max > 0 ? 127 / max : 0;
  let hex = '';
  for (let k = 0; k < LENGTH; k++) {
    const q = Math.round((dct[k] ?? 0) * scale) & 0xff;
    hex += q.toString(16).padStart(2, '0');
  }
  return hex;
}

/** Parses {@link dctSignatureHex} into unit-length coefficients. @throws {@link ModerationConfigError} */
export function parseDctSignature(hex: string): Float32Array {
  if (!/^[0-9a-f]{512}$/i.test(hex)) {
    throw new ModerationConfigError(
      `A ${DCT_SIGNATURE_ALGORITHM} signature is 512 hex digits, got ${hex.length} characters`,
    );
  }
  const out = new Float32Array(LENGTH);
  for (let k = 0; k < LENGTH; k++) {
    const byte = parseInt(hex.slice(2 * k, 2 * k + 2), 16);
    out[k] = byte > 127 ? byte - 256 : byte;
  }
  return normalise(out);
}

function normalise(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let k = 0; k < v.length; k++) v[k] = v[k]! / norm;
  return v;
}

/** The query's DCT under each dihedral transform, unit length, for {@link dctSimilarity}. */
export function dctQueryVariants(dct: Float64Array): Map<DihedralTransform, Float32Array> {
  const out = new Map<DihedralTransform, Float32Array>();
  for (const t of DIHEDRAL_TRANSFORMS)
    out.set(t, normalise(Float32Array.from(transformDct(dct, t))));
  return out;
}

/** Cosine similarity of two unit-length signatures. */
export function dctSimilarity(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < LENGTH; k++) s += a[k]! * b[k]!;
  return s;
}
