import { beforeAll, describe, expect, it } from 'vitest';
import { broadcastRuns } from '../src/kernels/tile-repeat.js';
import { compareKernel, input, setUpWasm } from './kernel-harness.js';

describe('broadcastRuns', () => {
  it('detects tilings that repeat blocks of the input back to back', () => {
    expect(broadcastRuns([1, 1, 1, 7], [4, 3, 5, 1])).toEqual({ outer: 1, times: 60, inner: 7 });
    expect(broadcastRuns([1, 2, 3], [5, 1, 1])).toEqual({ outer: 1, times: 5, inner: 6 });
    expect(broadcastRuns([2, 3], [1, 1])).toEqual({ outer: 1, times: 1, inner: 6 });
    // A per-image mean's gradient: [N, 1, 1, C] to [N, H, W, C].
    expect(broadcastRuns([2, 1, 1, 3], [1, 4, 5, 1])).toEqual({ outer: 2, times: 20, inner: 3 });
    expect(broadcastRuns([2, 1, 3], [1, 4, 1])).toEqual({ outer: 2, times: 4, inner: 3 });
    expect(broadcastRuns([1, 3], [1, 2])).toBeUndefined(); // repeats data
    expect(broadcastRuns([2, 1, 1, 3], [1, 3, 1, 2])).toBeUndefined(); // repeats data
  });
});

describe('wasm Tile matches the cpu backend', () => {
  beforeAll(setUpWasm);

  it.each([
    { shape: [1, 1, 1, 7], reps: [3, 5, 2, 1] }, // batch norm gradient
    { shape: [1, 1, 1, 64], reps: [64, 14, 14, 1] },
    { shape: [1, 5], reps: [3, 1] },
    { shape: [1, 5], reps: [1, 1] },
    { shape: [2, 1, 3], reps: [1, 4, 1] },
    { shape: [16, 1, 1, 3], reps: [1, 64, 64, 1] }, // a per-image mean's gradient
    { shape: [3, 1, 1, 5], reps: [1, 7, 1, 1] },
    { shape: [16, 8, 8, 1], reps: [1, 1, 1, 3] }, // grey to RGB: short blocks
    { shape: [4, 1, 1, 300], reps: [1, 2, 2, 1] }, // blocks of 300
    { shape: [2, 1, 1, 3], reps: [1, 3, 1, 2] }, // stock path
    { shape: [2, 3], reps: [2, 3] }, // stock path
  ])('$shape by $reps', async (c) => {
    const result = await compareKernel('Tile', { x: input(c.shape, 41) }, { reps: c.reps });
    expect(result.shape).toEqual(result.expectedShape);
    expect(result.error).toBe(0);
  });
});
