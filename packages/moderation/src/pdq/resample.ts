/**
 * The 64x64 luma picture PDQ hashes, resampled from a luma plane that is computed once per image
 * and shared by every region hashed from it in a row (the matcher hashes the upload, the pictures
 * inside its bands and two strips; the bank ~70 crops of each known image), through libvips'
 * `resize` with the Lanczos-3 kernel, which the hashes were first computed with (`reduceStages`,
 * input/reduce.ts; gan-core's `resampleWeighted` runs the tables, natively where its addon is
 * built, else the same sums in JavaScript, bit for bit). The reduce is symmetric, so a mirrored or
 * rotated image resamples to the mirrored or rotated picture and the dihedral hashes derived from
 * the DCT stay those of the flipped images.
 */
import { resampleWeighted } from '@ganmod/gan-core';
import { ModerationConfigError } from '../errors.js';
import type { RgbImage } from '../input/decode.js';
import { reduceStages } from '../input/reduce.js';

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
  const out = new Float32Array(PDQ_SIDE * PDQ_SIDE);
  resampleWeighted(
    { data: current.luma, stride: image.width },
    r,
    reduceStages(r.width, r.height, PDQ_SIDE, PDQ_SIDE),
    out,
    0,
    255,
  );
  return out;
}
