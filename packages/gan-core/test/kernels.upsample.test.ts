/**
 * Nearest-neighbour resizing (native/upsample.cc, src/kernels/native/upsample.ts): whole-factor
 * upsampling against TF.js's cpu kernel, and its gradient against block sums computed here, with
 * and without the addon; the resizes the addon leaves to the stock kernels (a fraction,
 * alignCorners, halfPixelCenters) unchanged.
 *
 * Not against the cpu backend's gradient: tfjs 4.22's cpu ResizeNearestNeighborGrad gets every
 * image after the first wrong (for [2, 4, 4, 3] -> [8, 8] it gave 3 where the block of dy sums to
 * 5); stock wasm and the addon agree with the block sums.
 */
import { registerWasmKernels } from '../src/kernels/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { NATIVE, compareKernel, input, relativeError, runOn, setUpWasm } from './kernel-harness.js';

/** dx[n, i, j, c] = the sum of dy over the pixel's whole-factor block. */
function blockSums(dy: Float32Array, [n, h, w, c]: number[], [oh, ow]: number[]): Float32Array {
  const [fh, fw] = [oh! / h!, ow! / w!];
  const dx = new Float32Array(n! * h! * w! * c!);
  for (let b = 0; b < n!; b++)
    for (let y = 0; y < oh!; y++)
      for (let x = 0; x < ow!; x++)
        for (let k = 0; k < c!; k++)
          dx[((b * h! + Math.floor(y / fh)) * w! + Math.floor(x / fw)) * c! + k]! +=
            dy[((b * oh! + y) * ow! + x) * c! + k]!;
  return dx;
}

const plain = { alignCorners: false, halfPixelCenters: false };

describe('nearest-neighbour resizing matches the cpu backend', () => {
  beforeAll(setUpWasm);

  it.each([
    { shape: [2, 4, 4, 3], size: [8, 8], attrs: plain }, // UpSampling2D, 2x
    { shape: [1, 3, 5, 2], size: [9, 10], attrs: plain }, // 3x by 2x
    { shape: [2, 8, 8, 16], size: [8, 8], attrs: plain }, // 1x: a copy
    { shape: [4, 64, 64, 16], size: [128, 128], attrs: plain }, // 4M floats: split over threads
    { shape: [2, 4, 4, 3], size: [6, 6], attrs: plain }, // a fraction: stock
    { shape: [2, 4, 4, 3], size: [8, 8], attrs: { ...plain, alignCorners: true } }, // stock
    { shape: [2, 4, 4, 3], size: [8, 8], attrs: { ...plain, halfPixelCenters: true } }, // stock
  ])('$shape to $size ($attrs)', async (c) => {
    const forward = await compareKernel(
      'ResizeNearestNeighbor',
      { images: input(c.shape, 7) },
      { ...c.attrs, size: c.size },
    );
    expect(forward.shape).toEqual(forward.expectedShape);
    expect(forward.error).toBe(0); // a copy: exact
    // Whole factors only: the stock gradient of a fraction or alignCorners spreads differently.
    if (c.size[0]! % c.shape[1]! !== 0 || c.size[1]! % c.shape[2]! !== 0 || c.attrs.alignCorners)
      return;
    const [n, , , channels] = c.shape as [number, number, number, number];
    const dy = input([n, c.size[0]!, c.size[1]!, channels], 8);
    const expected = blockSums(dy.data, c.shape, c.size);
    for (const native of NATIVE ? [false, true] : [false]) {
      registerWasmKernels({ native });
      try {
        const grad = await runOn(
          'wasm',
          'ResizeNearestNeighborGrad',
          { images: input(c.shape, 7), dy },
          c.attrs,
        );
        expect(grad.shape).toEqual(c.shape);
        // Sums of up to 6 values, in another order than the loop above.
        expect(relativeError(grad.data, expected), `native ${native}`).toBeLessThan(1e-6);
      } finally {
        registerWasmKernels();
      }
    }
  });
});
