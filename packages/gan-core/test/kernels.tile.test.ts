import { beforeAll, describe, expect, it } from 'vitest';
import { blockRepeats } from '../src/kernels/tile-repeat.js';
import { compareKernel, input, setUpWasm } from './kernel-harness.js';

describe('blockRepeats', () => {
  it('detects tilings that repeat the whole input back to back', () => {
    expect(blockRepeats([1, 1, 1, 7], [4, 3, 5, 1])).toBe(60);
    expect(blockRepeats([1, 2, 3], [5, 1, 1])).toBe(5);
    expect(blockRepeats([2, 3], [1, 1])).toBe(1);
    expect(blockRepeats([2, 1, 3], [1, 4, 1])).toBeUndefined(); // repeats inside the data
    expect(blockRepeats([1, 3], [1, 2])).toBeUndefined();
  });
});

describe('wasm Tile matches the cpu backend', () => {
  beforeAll(setUpWasm);

  it.each([
    { shape: [1, 1, 1, 7], reps: [3, 5, 2, 1] }, // batch norm gradient
    { shape: [1, 1, 1, 64], reps: [64, 14, 14, 1] },
    { shape: [1, 5], reps: [3, 1] },
    { shape: [1, 5], reps: [1, 1] },
    { shape: [2, 1, 3], reps: [1, 4, 1] }, // stock path
    { shape: [2, 3], reps: [2, 3] }, // stock path
  ])('$shape by $reps', async (c) => {
    const result = await compareKernel('Tile', { x: input(c.shape, 41) }, { reps: c.reps });
    expect(result.shape).toEqual(result.expectedShape);
    expect(result.error).toBe(0);
  });
});
