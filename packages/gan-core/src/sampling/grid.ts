/** Sample grids as PNG: images in [-1, 1] tiled row-major, encoded with pngjs. */
import type * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';

/** Gap between tiles, in pixels. */
const padding = 2;

/**
 * Tiles `images` (`[n, h, w, c]`, c = 1 or 3, values in [-1, 1]) into a grid with `cols` columns
 * and returns an RGBA PNG. Values are mapped [-1, 1] -> [0, 255] and clipped.
 */
export function gridPng(images: tf.Tensor4D, cols: number): Uint8Array {
  const [n, h, w, c] = images.shape;
  if (n < 1) throw new RangeError('gridPng needs at least one image');
  if (c !== 1 && c !== 3) throw new RangeError(`gridPng supports 1 or 3 channels, got ${c}`);
  if (!Number.isInteger(cols) || cols < 1)
    throw new RangeError(`cols must be a positive integer, got ${cols}`);
  const columns = Math.min(cols, n);
  const rows = Math.ceil(n / columns);
  const png = new PNG({
    width: columns * (w + padding) + padding,
    height: rows * (h + padding) + padding,
  });
  png.data.fill(255);
  const values = images.dataSync();
  const toByte = (v: number): number => Math.round((Math.min(1, Math.max(-1, v)) + 1) * 127.5);
  for (let k = 0; k < n; k++) {
    const top = padding + Math.floor(k / columns) * (h + padding);
    const left = padding + (k % columns) * (w + padding);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = ((k * h + y) * w + x) * c;
        const dst = ((top + y) * png.width + left + x) * 4;
        for (let ch = 0; ch < 3; ch++)
          png.data[dst + ch] = toByte(values[src + (c === 1 ? 0 : ch)] as number);
        png.data[dst + 3] = 255;
      }
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}
