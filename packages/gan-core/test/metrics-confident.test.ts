import { describe, expect, it } from 'vitest';

import { CONFIDENT_PROBABILITY, confidentShare } from '../src/metrics/evaluate.js';
import { featureMatrixFromRows } from '../src/metrics/stats/matrix.js';

describe('confidentShare', () => {
  it('counts the rows whose top class probability reaches the threshold', () => {
    const probabilities = featureMatrixFromRows([
      [0.95, 0.05, 0],
      [0.9, 0.1, 0],
      [0.5, 0.3, 0.2],
      [0.1, 0.1, 0.8],
    ]);
    expect(CONFIDENT_PROBABILITY).toBe(0.9);
    expect(confidentShare(probabilities)).toBe(0.5);
    expect(confidentShare(probabilities, 0.8)).toBe(0.75);
    expect(confidentShare(featureMatrixFromRows([]))).toBe(0);
  });
});
