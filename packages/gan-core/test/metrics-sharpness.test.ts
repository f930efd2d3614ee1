import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { meanGradientMagnitude } from '../src/metrics/sharpness.js';

describe('meanGradientMagnitude', () => {
  it('is 0 for a flat image and counts a hard edge as a step of 1', () => {
    expect(meanGradientMagnitude(tf.fill<tf.Rank.R4>([2, 4, 4, 1], 0.3))).toBe(0);
    // Columns 0-1 black, 2-3 white: of the 3x3 forward differences kept, one column in three crosses.
    const edge = tf.tensor4d([-1, -1, 1, 1], [1, 1, 4, 1]).tile<tf.Tensor4D>([1, 4, 1, 1]);
    expect(meanGradientMagnitude(edge)).toBeCloseTo(1 / 3, 6);
  });

  it('ranks a blurred image below the sharp one', () => {
    const sharp = tf.tensor4d(
      Array.from({ length: 64 }, (_, i) => ((i + Math.floor(i / 8)) % 2 ? 1 : -1)),
      [1, 8, 8, 1],
    );
    const blurred = tf.avgPool(sharp, 2, 1, 'same');
    expect(meanGradientMagnitude(blurred)).toBeLessThan(meanGradientMagnitude(sharp) / 2);
    expect(() => meanGradientMagnitude(tf.zeros([1, 1, 5, 1]))).toThrow(/at least 2x2/);
  });
});
