/**
 * Resampling of 8-bit images into a network's float input with the datasets package's triangle
 * (linear) filter (`axisFilter`: support widened with the shrink factor, antialiased like libvips'
 * `linear` kernel), output as `value * scale + offset`. The addon's loop (native/resample.cc)
 * computes the same weights and sums in the same order as the JavaScript one below, so results do
 * not depend on whether the addon was built.
 */
import { axisFilter } from '@ganmod/datasets';
import { loadNativeAddon, type NativeAddon } from './addon.js';

/** 8-bit interleaved pixels, row-major. */
export interface PixelImage {
  width: number;
  height: number;
  /** `width * height * channels` bytes. */
  data: Uint8Array;
}

/** Options of {@link resampleImage}. */
export interface ResampleOptions {
  /** Multiplies each resampled value (e.g. 1/255 for [0, 1]); 1 by default. */
  scale?: number;
  /** Added after scaling (e.g. -1 with scale 1/127.5 for [-1, 1]); 0 by default. */
  offset?: number;
  /** Writes into this array (at least outWidth x outHeight x channels long) instead of a new one. */
  into?: Float32Array;
  /** Channels per pixel; 3 by default. */
  channels?: number;
}

// Float32 arithmetic step by step, as the addon computes it (a product of two floats and a sum of
// two floats are exact in a double, so rounding each to float gives the C++ result bit for bit).
const f32 = Math.fround;

/** The JavaScript implementation (the addon's where it is not built). */
export function resampleImageJs(
  image: PixelImage,
  outWidth: number,
  outHeight: number,
  dst: Float32Array,
  channels: number,
  scale: number,
  offset: number,
): void {
  const { width, height, data } = image;
  const across = axisFilter(width, outWidth);
  const down = axisFilter(height, outHeight);
  const c = channels;
  // Columns first, then rows, in the addon's order (see native/resample.cc).
  const rowLength = width * c;
  const tall = new Float32Array(outHeight * rowLength);
  for (let y = 0; y < outHeight; y++) {
    const wt = y * down.taps;
    const out = y * rowLength;
    const n = down.counts[y]!;
    for (let i = 0; i < rowLength; i++) {
      let v = 0;
      for (let k = 0; k < n; k++) {
        v = f32(v + f32(down.weights[wt + k]! * data[(down.starts[y]! + k) * rowLength + i]!));
      }
      tall[out + i] = v;
    }
  }
  const fScale = f32(scale);
  const fOffset = f32(offset);
  for (let y = 0; y < outHeight; y++) {
    const row = y * rowLength;
    const out = y * outWidth * c;
    for (let x = 0; x < outWidth; x++) {
      const wt = x * across.taps;
      const s = row + across.starts[x]! * c;
      const n = across.counts[x]!;
      for (let ch = 0; ch < c; ch++) {
        let v = 0;
        for (let k = 0; k < n; k++)
          v = f32(v + f32(across.weights[wt + k]! * tall[s + k * c + ch]!));
        dst[out + x * c + ch] = f32(f32(v * fScale) + fOffset);
      }
    }
  }
}

/**
 * Resamples `image` to `outWidth` x `outHeight` (aspect not kept: the caller chooses the size)
 * into floats.
 *
 * @param addon the native addon; `null` runs the JavaScript loop (same results).
 * @throws RangeError when a size is not a positive integer or `data` does not match the geometry.
 */
export function resampleImage(
  image: PixelImage,
  outWidth: number,
  outHeight: number,
  options: ResampleOptions = {},
  addon: NativeAddon | null = loadNativeAddon().module ?? null,
): Float32Array {
  const channels = options.channels ?? 3;
  const sizes = [image.width, image.height, channels, outWidth, outHeight];
  if (!sizes.every((v) => Number.isInteger(v) && v > 0)) {
    throw new RangeError(`resampleImage: sizes must be positive integers, got ${sizes.join(', ')}`);
  }
  if (image.data.length !== image.width * image.height * channels) {
    throw new RangeError(
      `resampleImage: ${image.data.length} bytes for a ${image.width}x${image.height}x${channels} image`,
    );
  }
  const length = outWidth * outHeight * channels;
  const dst = options.into ? options.into.subarray(0, length) : new Float32Array(length);
  if (dst.length < length) throw new RangeError('resampleImage: `into` is too short');
  const scale = options.scale ?? 1;
  const offset = options.offset ?? 0;
  if (addon?.resampleImage) addon.resampleImage(image.data, sizes, dst, scale, offset);
  else resampleImageJs(image, outWidth, outHeight, dst, channels, scale, offset);
  return dst;
}
