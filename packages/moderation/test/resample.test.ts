/**
 * The libvips-style Lanczos-3 reduce (src/input/reduce.ts) PDQ hashes from (src/pdq/resample.ts)
 * and the synthetic detector's input comes from, on real photographs from Debian's wallpaper
 * packages: symmetric (dihedral hashes equal those of flipped pictures), the reused luma plane
 * gives the same pixels, hashes stay close to sharp's (libvips) Lanczos-3, which earlier banks
 * were built with, and RGB reductions are within a grey level of sharp's on average.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSetPhoto, photoSet } from '../src/eval/photo-set.js';
import type { RgbImage } from '../src/input/decode.js';
import { hammingDistance } from '../src/pdq/hash256.js';
import { decodeBytes, pdqFromImage } from '../src/pdq/image.js';
import { dihedralHashes, pdqFromRgb } from '../src/pdq/pdq.js';
import { imageLuma, resampleLuma64, type Region } from '../src/pdq/resample.js';
import { reduceRgb } from '../src/input/reduce.js';

/** The image with pixel (x, y) read from `at(x, y)` of the source, in a width x height frame. */
function remap(
  image: RgbImage,
  width: number,
  height: number,
  at: (x: number, y: number) => [number, number],
): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = at(x, y);
      data.set(
        image.data.subarray((sy * image.width + sx) * 3, (sy * image.width + sx) * 3 + 3),
        (y * width + x) * 3,
      );
    }
  }
  return { width, height, data };
}

const mirror = (im: RgbImage) => remap(im, im.width, im.height, (x, y) => [im.width - 1 - x, y]);
const flip = (im: RgbImage) => remap(im, im.width, im.height, (x, y) => [x, im.height - 1 - y]);
/**
 * Turned a quarter clockwise: output (x, y) shows input (y, H - 1 - x). PDQ names this hash
 * `rotate270` (its rotations turn counter-clockwise).
 */
const rotate90 = (im: RgbImage) => remap(im, im.height, im.width, (x, y) => [y, im.height - 1 - x]);
/** A region as a picture of its own. */
const cut = (im: RgbImage, r: Region) =>
  remap(im, r.width, r.height, (x, y) => [r.left + x, r.top + y]);

const photos: RgbImage[] = [];
beforeAll(async () => {
  // Every 4th photo of the set: photos, artwork and low-detail designs, landscape and portrait.
  const { banked, unrelated } = photoSet();
  for (const photo of [...banked, ...unrelated].filter((_, i) => i % 4 === 0))
    photos.push(await decodeBytes(await loadSetPhoto(photo)));
}, 60_000);

describe('Lanczos-3 resampler', () => {
  it('is symmetric: a mirrored, flipped or turned picture resamples to the same turn of the 64x64', () => {
    for (const image of photos.slice(0, 6)) {
      // An odd-sized region too: its side is not a multiple of the box factor.
      for (const im of [
        image,
        cut(image, { left: 3, top: 5, width: image.width - 4, height: image.height - 8 }),
      ]) {
        const a = resampleLuma64(im);
        const m = resampleLuma64(mirror(im));
        const f = resampleLuma64(flip(im));
        const t = resampleLuma64(rotate90(im));
        let worst = 0;
        for (let y = 0; y < 64; y++) {
          for (let x = 0; x < 64; x++) {
            const v = a[y * 64 + x]!;
            worst = Math.max(
              worst,
              Math.abs(m[y * 64 + 63 - x]! - v),
              Math.abs(f[(63 - y) * 64 + x]! - v),
              Math.abs(t[x * 64 + 63 - y]! - v),
            );
          }
        }
        expect(worst).toBeLessThan(1e-3);
      }
    }
  });

  it('gives dihedral hashes equal to the hashes of the turned and flipped pictures', async () => {
    for (const image of photos.slice(0, 8)) {
      const pdq = await pdqFromImage(image);
      const variants = dihedralHashes(pdq);
      const turned = [
        ['flipHorizontal', mirror(image)],
        ['flipVertical', flip(image)],
        ['rotate270', rotate90(image)],
      ] as const;
      for (const [t, im] of turned)
        expect(
          hammingDistance(variants.get(t)!, (await pdqFromImage(im)).hash),
        ).toBeLessThanOrEqual(1);
    }
  });

  it("reads a region the same whether the image's luma was computed for another region or not", () => {
    const image = photos[1]!;
    const other = photos[2]!;
    const strip = {
      left: 0,
      top: Math.round(image.height * 0.2),
      width: image.width,
      height: Math.round(image.height * 0.6),
    };
    resampleLuma64(image); // fills the full-width span's rows
    const shared = resampleLuma64(image, strip);
    const fresh = resampleLuma64({ ...image }, strip);
    expect(shared).toEqual(fresh);
    expect(resampleLuma64(cut(image, strip))).toEqual(fresh);
    // Buffers reused for another image, then back: the same pixels again.
    const away = resampleLuma64(other, strip);
    expect(resampleLuma64(image, strip)).toEqual(fresh);
    expect(resampleLuma64(other, strip)).toEqual(away);
    const luma = imageLuma(image);
    const { data } = image;
    expect(luma[7]).toBe(Math.fround(0.299 * data[21]! + 0.587 * data[22]! + 0.114 * data[23]!));
  });

  it("reduces RGB as sharp's resize(fit: fill) does, within rounding", async () => {
    const diffs: number[] = [];
    for (const image of photos) {
      for (const [w, h] of [
        [32, 32],
        [64, 48],
      ] as const) {
        const viaSharp = await sharp(image.data, {
          raw: { width: image.width, height: image.height, channels: 3 },
        })
          .resize(w, h, { fit: 'fill' })
          .raw()
          .toBuffer();
        const ours = reduceRgb(image, w, h);
        expect(ours).toHaveLength(viaSharp.length);
        ours.forEach((v, i) => diffs.push(Math.abs(v - viaSharp[i]!)));
        // Whole grey levels, as sharp's bytes.
        expect(ours.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
      }
    }
    diffs.sort((a, b) => a - b);
    expect(diffs.reduce((a, b) => a + b, 0) / diffs.length).toBeLessThan(0.5);
    expect(diffs[Math.floor(diffs.length * 0.99)]).toBeLessThanOrEqual(3);
  });

  it('refuses a region outside the image', () => {
    const image = photos[0]!;
    expect(() =>
      resampleLuma64(image, { left: 1, top: 0, width: image.width, height: 10 }),
    ).toThrow(/not inside/);
    expect(() => resampleLuma64(image, { left: 0, top: 0, width: 0, height: 10 })).toThrow(
      /not inside/,
    );
  });

  it("hashes within a few bits of sharp's Lanczos-3, which earlier banks were built with", async () => {
    const distances: number[] = [];
    for (const image of photos) {
      const regions: (Region | undefined)[] = [
        undefined,
        {
          left: 0,
          top: Math.round(image.height * 0.2),
          width: image.width,
          height: Math.round(image.height * 0.6),
        },
        {
          left: 17,
          top: 9,
          width: Math.round(image.width * 0.9),
          height: Math.round(image.height * 0.9),
        },
      ];
      for (const region of regions) {
        const r = region ?? { left: 0, top: 0, width: image.width, height: image.height };
        const rgb = await sharp(image.data, {
          raw: { width: image.width, height: image.height, channels: 3 },
        })
          .extract(r)
          .resize(64, 64, { fit: 'fill', kernel: 'lanczos3' })
          .raw()
          .toBuffer();
        const viaSharp = pdqFromRgb(new Uint8Array(rgb), 64, 64);
        // PDQ bits of featureless pictures are noise: the DCT-signature stage matches those.
        if (viaSharp.quality < 50) continue;
        distances.push(hammingDistance(viaSharp.hash, (await pdqFromImage(image, region)).hash));
      }
    }
    distances.sort((a, b) => a - b);
    expect(distances.length).toBeGreaterThan(20);
    expect(distances[Math.floor(distances.length / 2)]).toBeLessThanOrEqual(4);
    // Fine stripes alias differently (MATE's Stripes: up to ~40 bits); everything else stays close.
    expect(distances.filter((d) => d > 12).length).toBeLessThanOrEqual(distances.length * 0.05);
  });
});
