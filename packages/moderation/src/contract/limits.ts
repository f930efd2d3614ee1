/**
 * Input limits: what the submission API accepts and what the pipeline validates are the same
 * numbers, read from here, so nothing the API stores is refused later for its size.
 */

/** Limits applied to every item. */
export interface InputLimits {
  /** Largest accepted image file, in bytes. */
  maxImageBytes: number;
  /** Largest accepted width x height, read from the header before decoding. */
  maxPixels: number;
  /** Longest accepted caption, in Unicode code points (see {@link captionLength}). */
  maxCaptionLength: number;
  /** Longest accepted `externalId`, in UTF-16 code units (JavaScript's `length`). */
  maxExternalIdLength: number;
}

/**
 * Defaults sized for social posts: 10 MiB, 40 megapixels, 2200 characters (Instagram's cap),
 * 256-character ids. The dashboard's `GANMOD_MAX_UPLOAD_BYTES` may override `maxImageBytes`.
 */
export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = Object.freeze({
  maxImageBytes: 10 * 1024 * 1024,
  maxPixels: 40_000_000,
  maxCaptionLength: 2200,
  maxExternalIdLength: 256,
});

/**
 * The platform's limits: the defaults, with the image limit raised or lowered where the operator
 * set one (`GANMOD_MAX_UPLOAD_BYTES`). The submission API and the scorer both use this, so the
 * pipeline never refuses an image the API accepted.
 */
export function platformInputLimits(maxImageBytes: number | undefined): Readonly<InputLimits> {
  return maxImageBytes ? { ...DEFAULT_INPUT_LIMITS, maxImageBytes } : DEFAULT_INPUT_LIMITS;
}

/** A caption's length as the limit counts it: code points, so an emoji counts once. */
export function captionLength(caption: string): number {
  let n = 0;
  for (const _ of caption) n++;
  return n;
}

/**
 * The most UTF-8 bytes a caption within the limit can take (4 per code point), so a reader can
 * stop at this many bytes: anything longer is over the limit whatever its characters.
 */
export function maxCaptionBytes(limits: Pick<InputLimits, 'maxCaptionLength'>): number {
  return limits.maxCaptionLength * 4;
}

/** The most UTF-8 bytes an `externalId` within the limit can take (3 per UTF-16 unit). */
export function maxExternalIdBytes(limits: Pick<InputLimits, 'maxExternalIdLength'>): number {
  return limits.maxExternalIdLength * 3;
}
