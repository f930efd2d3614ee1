import { describe, expect, it } from 'vitest';
import { beforeAll } from 'vitest';
import { leadingReduction } from '../src/kernels/reduce-leading.js';
import { compareKernel, input, setUpWasm } from './kernel-harness.js';

const CASES: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
  { shape: [3, 5, 7, 4], axis: [0, 1, 2], keepDims: false }, // batch norm over NHW
  { shape: [3, 5, 7, 4], axis: [0, 1, 2], keepDims: true },
  { shape: [1, 1, 9, 13], axis: [0, 1, 2], keepDims: false },
  { shape: [9, 13], axis: 0, keepDims: false },
  { shape: [9, 13], axis: [0], keepDims: true },
  { shape: [4, 6, 5], axis: [1, 0], keepDims: false }, // unordered
  { shape: [4, 6, 5], axis: [-3, -2], keepDims: true }, // negative
  { shape: [4, 6, 5], axis: [1, 2], keepDims: false }, // trailing: stock kernel
  { shape: [4, 6, 5], axis: [0, 2], keepDims: false }, // mixed: stock kernel
  { shape: [4, 6, 5], axis: [0, 1, 2], keepDims: false }, // everything: stock kernel
  { shape: [2000, 3], axis: 0, keepDims: false }, // long reduction (accumulation error)
];

describe('leadingReduction', () => {
  it('recognises exactly the leading-axes reductions', () => {
    expect(leadingReduction([2, 3, 4, 5], [0, 1, 2])).toBe(3);
    expect(leadingReduction([2, 3, 4], [-3])).toBe(1);
    expect(leadingReduction([2, 3, 4], [1, 0, 1])).toBe(2);
    expect(leadingReduction([2, 3, 4], [1])).toBeUndefined();
    expect(leadingReduction([2, 3, 4], [0, 1, 2])).toBeUndefined();
  });
});

describe.each(['Sum', 'Mean'])('wasm %s matches the cpu backend', (kernel) => {
  beforeAll(setUpWasm);

  it.each(CASES)('$shape over $axis keepDims=$keepDims', async (c) => {
    const result = await compareKernel(
      kernel,
      { x: input(c.shape, 31) },
      { axis: c.axis, keepDims: c.keepDims },
    );
    expect(result.shape).toEqual(result.expectedShape);
    expect(result.error).toBeLessThan(1e-5);
  });
});
