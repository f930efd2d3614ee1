/**
 * Resampling of 8-bit images into a network's float input: a separable triangle (linear) filter
 * whose support widens with the shrink factor (antialiased, like libvips' `linear` kernel), output
 * as `value * scale + offset`. The addon's loop (native/resample.cc) and the JavaScript one below
 * compute the same filter, so results do not depend on whether the addon was built.
 */
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

interface Taps {
  first: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

function triangleTaps(input: number, output: number): Taps {
  const scale = input / output;
  const radius = Math.max(1, scale);
  const maxTaps = Math.ceil(2 * radius) + 1;
  const taps: Taps = {
    first: new Int32Array(output),
    count: new Int32Array(output),
    weights: new Float32Array(output * maxTaps),
    maxTaps,
  };
  const w = new Float64Array(maxTaps);
  for (let o = 0; o < output; o++) {
    const centre = (o + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.ceil(centre - radius));
    const hi = Math.min(input - 1, Math.floor(centre + radius));
    let sum = 0;
    let n = 0;
    for (let i = lo; i <= hi && n < maxTaps; i++, n++) {
      const v = Math.max(0, 1 - Math.abs(i - centre) / radius);
      w[n] = Math.fround(v); // stored as a float, summed as a double: as the addon does
      sum += v;
    }
    if (n === 0 || sum <= 0) {
      taps.first[o] = Math.min(input - 1, Math.max(0, Math.round(centre)));
      taps.count[o] = 1;
      taps.weights[o * maxTaps] = 1;
      continue;
    }
    for (let k = 0; k < n; k++) taps.weights[o * maxTaps + k] = w[k]! / sum;
    taps.first[o] = lo;
    taps.count[o] = n;
  }
  return taps;
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
  const across = triangleTaps(width, outWidth);
  const down = triangleTaps(height, outHeight);
  const c = channels;
  // Columns first, then rows, in the addon's order (see native/resample.cc).
  const rowLength = width * c;
  const tall = new Float32Array(outHeight * rowLength);
  for (let y = 0; y < outHeight; y++) {
    const wt = y * down.maxTaps;
    const out = y * rowLength;
    const n = down.count[y]!;
    for (let i = 0; i < rowLength; i++) {
      let v = 0;
      for (let k = 0; k < n; k++) {
        v = f32(v + f32(down.weights[wt + k]! * data[(down.first[y]! + k) * rowLength + i]!));
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
      const wt = x * across.maxTaps;
      const s = row + across.first[x]! * c;
      const n = across.count[x]!;
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
