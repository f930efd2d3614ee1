/**
 * Scatter plots of 2-D points as PNG, the toy datasets' counterpart of the sample grid: real points
 * grey, generated points coloured on top, so a collapsed generator (colour on one or two grey
 * blobs) is visible at a glance. Encoded with pngjs; no fonts, no axes labels.
 */
import type * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';

export interface ScatterOptions {
  /** Width and height of the square plot in pixels. Default 400. */
  size?: number;
  /**
   * Half-width of the plotted square in data units (the plot spans [-extent, extent] on both
   * axes). Default: 1.25 x the largest |coordinate| of the real points, widened to show generated
   * points up to 2x that; points outside are not drawn.
   */
  extent?: number;
}

const background = [255, 255, 255] as const;
const axis = [225, 225, 225] as const;
const realColour = [170, 170, 170] as const;
const generatedColour = [214, 69, 20] as const;

/** Flat `x, y` pairs of `[n, 2]` points given as a tensor (read, not disposed) or an array. */
function pairs(points: tf.Tensor2D | ArrayLike<number>, what: string): ArrayLike<number> {
  if ('dataSync' in points) {
    if (points.rank !== 2 || points.shape[1] !== 2) {
      throw new RangeError(`${what} must have shape [n, 2], got [${points.shape.join(', ')}]`);
    }
    return points.dataSync();
  }
  if (points.length % 2 !== 0) {
    throw new RangeError(`${what} must hold x, y pairs; got an odd length ${points.length}`);
  }
  return points;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i] as number);
    if (Number.isFinite(v) && v > m) m = v;
  }
  return m;
}

/**
 * Renders `real` (grey) and `generated` (coloured) 2-D points, each `[n, 2]` as a tensor or flat
 * `x, y` pairs, into an RGB PNG with the origin at the centre and y pointing up.
 * @returns the PNG bytes.
 */
export function scatterPng(
  real: tf.Tensor2D | ArrayLike<number>,
  generated: tf.Tensor2D | ArrayLike<number>,
  options: ScatterOptions = {},
): Uint8Array {
  const size = options.size ?? 400;
  if (!Number.isInteger(size) || size < 16 || size > 4096) {
    throw new RangeError(`size must be an integer between 16 and 4096, got ${size}`);
  }
  const realXY = pairs(real, 'real points');
  const fakeXY = pairs(generated, 'generated points');
  const realExtent = maxAbs(realXY) * 1.25 || 1;
  const extent =
    options.extent ?? Math.max(realExtent, Math.min(2 * realExtent, maxAbs(fakeXY) * 1.05));
  if (!(extent > 0) || !Number.isFinite(extent)) {
    throw new RangeError(`extent must be a positive number, got ${extent}`);
  }
  const png = new PNG({ width: size, height: size, colorType: 2 });
  const set = (px: number, py: number, [r, g, b]: readonly [number, number, number]): void => {
    if (px < 0 || py < 0 || px >= size || py >= size) return;
    const i = (py * size + px) * 4;
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = 255;
  };
  for (let py = 0; py < size; py++) for (let px = 0; px < size; px++) set(px, py, background);
  const toPixel = (v: number): number => Math.round(((v + extent) / (2 * extent)) * (size - 1));
  const origin = toPixel(0);
  for (let p = 0; p < size; p++) {
    set(origin, p, axis);
    set(p, size - 1 - origin, axis);
  }
  const dots = (xy: ArrayLike<number>, colour: readonly [number, number, number], r: number) => {
    for (let i = 0; i + 1 < xy.length; i += 2) {
      const x = xy[i] as number;
      const y = xy[i + 1] as number;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (Math.abs(x) > extent || Math.abs(y) > extent) continue;
      const cx = toPixel(x);
      const cy = size - 1 - toPixel(y);
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++)
          if (dx * dx + dy * dy <= r * r) set(cx + dx, cy + dy, colour);
      }
    }
  };
  const radius = Math.max(1, Math.round(size / 250));
  dots(realXY, realColour, radius);
  dots(fakeXY, generatedColour, radius);
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}
