/** Hashes added to a bank for one known image: PDQ plus central-crop variants. */
import type { RgbImage } from '../input/decode.js';
import type { Hash256 } from '../pdq/hash256.js';
import { pdqFromImage } from '../pdq/image.js';
import type { PdqResult } from '../pdq/pdq.js';
import type { BankVariant } from './hash-bank.js';

/**
 * Central crops stored by default. PDQ's 16 frequencies move ~40 bits under a 5% crop (a 5% zoom
 * shifts the phase of the highest frequency by almost half a cycle at the edges), beyond the 31
 * threshold; a stored crop variant brings a cropped upload back within a few bits of it.
 */
export const DEFAULT_CROP_VARIANTS: readonly number[] = [0.95, 0.9];

/** PDQ of an image and of its central crops, ready for `HashBank.addImage(pdq, meta, variants, crops)`. */
export async function bankHashesForImage(
  image: RgbImage,
  crops: readonly number[] = DEFAULT_CROP_VARIANTS,
): Promise<{ pdq: PdqResult; crops: Map<BankVariant, Hash256> }> {
  const pdq = await pdqFromImage(image);
  const out = new Map<BankVariant, Hash256>();
  for (const keep of crops) {
    const cropped = await pdqFromImage(image, { keep });
    out.set(`crop${Math.round(keep * 100)}`, cropped.hash);
  }
  return { pdq, crops: out };
}
