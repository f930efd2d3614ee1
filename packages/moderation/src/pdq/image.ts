/**
 * PDQ from image bytes or decoded pixels.
 *
 * Deviation from the reference, on purpose: instead of PDQ's Jarosz box filters (even-width boxes
 * shift the image by half a pixel, so a mirrored copy hashes up to ~60 bits away on small images),
 * the picture is first resampled to exactly 64x64 with a Lanczos-3 kernel (`resample.ts`, after
 * libvips' `resize`), which is symmetric. The reference pipeline then degenerates to luma -> DCT ->
 * median, so the dihedral variants derived from the DCT equal the hashes of the flipped images bit
 * for bit, and resizing moves a hash by a few bits instead of tens. Measured on 26 emoji: resize
 * x0.5 max 4 bits (reference path: 30), mirror 0 (62). {@link pdqFromRgb} keeps the reference path
 * for interop checks.
 *
 * The resample runs in TypeScript on a luma plane computed once per image, so the matcher's and
 * the bank's many regions of one picture share it (a sharp pipeline per region cost ~2.3 ms of CPU
 * each). Hashes stay within a few bits of the sharp-resampled ones that earlier banks stored (see
 * the package README).
 */
import { decodeImage, type RgbImage } from '../input/decode.js';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../contract/limits.js';
import { validateImage } from '../input/validate.js';
import { pdqFromPicture64, type PdqResult } from './pdq.js';
import { resampleLuma64, type Region } from './resample.js';

export type { Region } from './resample.js';

/** The central `keep` fraction of each side, e.g. 0.95 drops 2.5% on every edge. */
export interface CentralCrop {
  keep: number;
}

function regionOf(image: RgbImage, crop?: CentralCrop | Region): Region | undefined {
  if (!crop || 'width' in crop) return crop;
  const width = Math.max(1, Math.round(image.width * crop.keep));
  const height = Math.max(1, Math.round(image.height * crop.keep));
  return {
    left: Math.floor((image.width - width) / 2),
    top: Math.floor((image.height - height) / 2),
    width,
    height,
  };
}

/**
 * PDQ of a decoded image (optionally of its central crop or of a region), computed synchronously.
 * Hashing several regions of one image in a row shares its luma and box-shrunk rows.
 *
 * @throws {@link ModerationConfigError} when the region is empty or not inside the image.
 */
export function pdqFromImageSync(image: RgbImage, crop?: CentralCrop | Region): PdqResult {
  return pdqFromPicture64(resampleLuma64(image, regionOf(image, crop)));
}

/**
 * {@link pdqFromImageSync} behind the promise the earlier sharp-based version returned.
 *
 * @throws {@link ModerationConfigError} when the region is empty or not inside the image.
 */
export function pdqFromImage(image: RgbImage, crop?: CentralCrop | Region): Promise<PdqResult> {
  try {
    return Promise.resolve(pdqFromImageSync(image, crop));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * Validates, decodes and hashes image bytes.
 *
 * @throws {@link ModerationInputError} for anything {@link validateImage} or decoding refuses.
 */
export async function pdqFromBytes(
  bytes: Uint8Array,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): Promise<PdqResult> {
  return pdqFromImage(await decodeBytes(bytes, limits));
}

/** Validates and decodes image bytes into the pipeline's working RGB form. */
export async function decodeBytes(
  bytes: Uint8Array,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): Promise<RgbImage> {
  const header = validateImage(bytes, limits);
  return decodeImage(bytes, header, limits.maxPixels);
}
