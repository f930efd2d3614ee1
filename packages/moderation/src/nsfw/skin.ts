/**
 * Skin-colour evidence for the explicit detector. nsfwjs' MobileNetV2 calls smooth warm textures
 * (wood grain, a yellow flower, abstract gradients) "Porn" with up to 96% confidence; those pixels are
 * not skin-coloured, while an explicit photograph shows skin. The rule is the conjunction of three
 * published pixel classifiers, each loose on its own: Kovač et al.'s RGB rule (uniform daylight),
 * the Chai & Ngan YCbCr box (Cb 77-127, Cr 133-173) and an HSV hue/saturation band (hue ≤ 50° or
 * ≥ 340°, saturation 0.10-0.68, value ≥ 0.35).
 */
import { resampleImage } from '@ganmod/gan-core';
import type { RgbImage } from '../input/decode.js';

/** Side the image is shrunk to before counting (fractions are stable from ~64 px up). */
const SKIN_SIDE = 128;
/**
 * Mean channel spread (max - min, 0-255) under which an image is treated as colourless (grayscale,
 * sepia-free black and white): colour can neither confirm nor rule out skin there.
 */
export const COLOURLESS_SPREAD = 6;

/** Whether one RGB pixel is skin-coloured under all three rules. */
export function isSkinPixel(r: number, g: number, b: number): boolean {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const spread = max - min;
  // Kovač et al. 2003, daylight rule.
  if (!(r > 95 && g > 40 && b > 20 && spread > 15 && Math.abs(r - g) > 15 && r > g && r > b))
    return false;
  // ITU-R BT.601 chroma box (Chai & Ngan 1999).
  const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
  const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
  if (cb < 77 || cb > 127 || cr < 133 || cr > 173) return false;
  // HSV band; r is the maximum here (Kovač's rule), so hue = 60 * (g - b) / spread.
  const hue = (60 * (g - b)) / spread;
  const h = hue < 0 ? hue + 360 : hue;
  const saturation = spread / max;
  return (h <= 50 || h >= 340) && saturation >= 0.1 && saturation <= 0.68 && max >= 0.35 * 255;
}

/** The shrunk image's array, reused from call to call (read before the next call). */
let shrunk = new Float32Array(0);

/**
 * Fraction of skin-coloured pixels in `image` (0-1), or `null` when the image is colourless (its
 * mean channel spread is under {@link COLOURLESS_SPREAD}).
 */
export function skinFraction(image: RgbImage): number | null {
  // Shrunk to fit SKIN_SIDE (aspect kept) with an antialiasing linear filter, rounded to 8 bits.
  const fit = Math.min(SKIN_SIDE / image.width, SKIN_SIDE / image.height);
  const width = Math.max(1, Math.round(image.width * fit));
  const height = Math.max(1, Math.round(image.height * fit));
  if (shrunk.length < width * height * 3) shrunk = new Float32Array(SKIN_SIDE * SKIN_SIDE * 3);
  const data = resampleImage(image, width, height, { into: shrunk });
  const n = width * height;
  let skin = 0;
  let spread = 0;
  for (let i = 0; i < n; i++) {
    const r = Math.round(data[3 * i]!);
    const g = Math.round(data[3 * i + 1]!);
    const b = Math.round(data[3 * i + 2]!);
    spread += Math.max(r, g, b) - Math.min(r, g, b);
    if (isSkinPixel(r, g, b)) skin++;
  }
  if (spread / n < COLOURLESS_SPREAD) return null;
  return skin / n;
}
