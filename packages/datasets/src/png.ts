/** Minimal PNG encoding (pngjs, pure JS) for saving dataset samples, e.g. in tests and tools. */
import { PNG } from 'pngjs';
import { DatasetError } from './errors.js';

/** PNG colour types for 1, 3 and 4 channels: gray, RGB, RGBA. */
const COLOUR_TYPE = { 1: 0, 3: 2, 4: 6 } as const;

/**
 * Encode 8-bit pixels (HWC, 1, 3 or 4 channels) as a PNG file.
 * Pair with {@link Dataset.toUint8Image}: `encodePng(img.data, img.width, img.height, img.channels)`.
 */
export function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
): Buffer {
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new DatasetError(`channels must be 1, 3 or 4, got ${channels}`, { field: 'channels' });
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new DatasetError(`width and height must be positive integers, got ${width}x${height}`, {
      field: 'width',
    });
  }
  if (pixels.length !== width * height * channels) {
    throw new DatasetError(
      `pixels holds ${pixels.length} bytes, ${width}x${height}x${channels} needs ${width * height * channels}`,
      { field: 'pixels' },
    );
  }
  // pngjs takes RGBA input whatever colour type it writes.
  const rgba = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = pixels[p * channels + (channels === 1 ? 0 : c)]!;
    rgba[p * 4 + 3] = channels === 4 ? pixels[p * 4 + 3]! : 255;
  }
  const png = new PNG({ width, height });
  png.data = rgba;
  return PNG.sync.write(png, {
    colorType: COLOUR_TYPE[channels],
    inputColorType: 6,
    inputHasAlpha: true,
  });
}
