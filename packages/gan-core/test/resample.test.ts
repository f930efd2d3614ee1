/**
 * Image resampling for inference inputs (src/kernels/native/resample.ts, native/resample.cc): the
 * addon's loop and the JavaScript one agree bit for bit, flat images stay flat, and bad geometry is
 * refused. (packages/moderation's tests compare it with sharp's linear kernel on real photos.)
 */
import { describe, expect, it } from 'vitest';
import { loadNativeAddon, resampleImage } from '../src/backend/index.js';

/** A deterministic 8-bit RGB test card: gradients, a checkerboard patch and a hard edge. */
function card(width: number, height: number) {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      const checker = x < width / 3 && y < height / 3 ? (((x >> 2) + (y >> 2)) & 1) * 255 : 0;
      data[p] = Math.round((255 * x) / (width - 1));
      data[p + 1] = x > width / 2 ? 230 : Math.round((255 * y) / (height - 1));
      data[p + 2] = checker || (x * 7 + y * 13) % 256;
    }
  }
  return { width, height, data };
}

describe('resampleImage', () => {
  const native = loadNativeAddon().module;

  it.runIf(native?.resampleImage !== undefined)(
    'gives the same floats with and without the addon (downscale, upscale, odd sizes)',
    () => {
      for (const [w, h, ow, oh] of [
        [512, 384, 224, 224],
        [300, 517, 128, 91],
        [40, 30, 224, 224],
        [1, 7, 3, 2],
      ] as const) {
        const image = card(w, h);
        const opts = { scale: 1 / 255 };
        const viaAddon = resampleImage(image, ow, oh, opts);
        const viaJs = resampleImage(image, ow, oh, opts, null);
        expect(viaAddon).toEqual(viaJs);
      }
    },
  );

  it('keeps a flat image flat and applies scale and offset', () => {
    const flat = { width: 37, height: 23, data: new Uint8Array(37 * 23 * 3).fill(200) };
    const out = resampleImage(flat, 11, 5, { scale: 1 / 127.5, offset: -1 });
    for (const v of out) expect(v).toBeCloseTo(200 / 127.5 - 1, 5);
  });

  it('refuses sizes and arrays that do not match', () => {
    const image = card(8, 8);
    expect(() => resampleImage(image, 0, 4)).toThrow(/positive integers/);
    expect(() => resampleImage({ ...image, width: 9 }, 4, 4)).toThrow(/bytes for a 9x8x3/);
    expect(() => resampleImage(image, 4, 4, { into: new Float32Array(3) })).toThrow(/too short/);
  });
});
