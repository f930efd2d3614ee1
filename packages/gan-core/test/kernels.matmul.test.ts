import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { WASM_KERNEL_NAMES } from '../src/backend/index.js';
import { compareKernel, input, setUpWasm } from './kernel-harness.js';

const TOLERANCE = 1e-5;

interface MatMulCase {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const CASES: MatMulCase[] = [
  { a: [7, 5], b: [5, 9], transposeA: false, transposeB: false },
  { a: [5, 7], b: [5, 9], transposeA: true, transposeB: false },
  { a: [7, 5], b: [9, 5], transposeA: false, transposeB: true },
  { a: [5, 7], b: [9, 5], transposeA: true, transposeB: true },
  { a: [3, 6, 4], b: [3, 6, 5], transposeA: true, transposeB: false },
  { a: [3, 4, 6], b: [3, 5, 6], transposeA: false, transposeB: true },
  { a: [2, 3, 6, 4], b: [2, 3, 5, 6], transposeA: true, transposeB: true },
  // The shapes of the DCGAN's dense layer gradients (batch 64).
  { a: [64, 6272], b: [64, 1], transposeA: true, transposeB: false },
  { a: [64, 1], b: [6272, 1], transposeA: false, transposeB: true },
];

describe('wasm BatchMatMul with transpose flags matches the cpu backend', () => {
  beforeAll(setUpWasm);

  it.each(CASES)('a $a tA=$transposeA, b $b tB=$transposeB', async (c) => {
    const result = await compareKernel(
      'BatchMatMul',
      { a: input(c.a, 11), b: input(c.b, 12) },
      { transposeA: c.transposeA, transposeB: c.transposeB },
    );
    expect(result.shape).toEqual(result.expectedShape);
    expect(result.error).toBeLessThan(TOLERANCE);
  });
});

describe('wasm _FusedMatMul with transpose flags matches the cpu backend', () => {
  beforeAll(setUpWasm);

  it.each([
    { transposeA: true, transposeB: false, activation: 'linear' },
    { transposeA: false, transposeB: true, activation: 'relu' },
    { transposeA: true, transposeB: true, activation: 'leakyrelu' },
  ])('tA=$transposeA tB=$transposeB $activation with bias', async (c) => {
    // The kernel takes rank-3 operands (tf.fused.matMul reshapes before calling it); batch 1 as
    // in dense layers (the stock wasm kernel adds the bias wrongly for batch > 1, flags or not).
    const a = c.transposeA ? [1, 6, 5] : [1, 5, 6];
    const b = c.transposeB ? [1, 7, 6] : [1, 6, 7];
    const result = await compareKernel(
      '_FusedMatMul',
      { a: input(a, 13), b: input(b, 14), bias: input([7], 15) },
      { ...c, leakyreluAlpha: 0.2 },
    );
    expect(result.shape).toEqual([1, 5, 7]);
    expect(result.error).toBeLessThan(TOLERANCE);
  });
});

describe('kernel registration', () => {
  beforeAll(setUpWasm);

  it('serves every project kernel on wasm from gan-core, not from the stock package', () => {
    for (const name of WASM_KERNEL_NAMES) {
      const config = tf.getKernel(name, 'wasm');
      expect(config, name).toBeDefined();
      // The stock kernels are compiled into tfjs-backend-wasm's bundle; ours come from src/kernels.
      expect(config.kernelFunc.toString(), name).not.toContain('backend.wasm');
    }
  });
});
