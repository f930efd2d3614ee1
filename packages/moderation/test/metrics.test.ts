import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  bestF1Threshold,
  metricsAt,
  rocAuc,
  thresholdForPrecision,
} from '../src/metrics/ranking.js';

const data = (pairs: [number, 0 | 1][]) =>
  pairs.map(([score, y]) => ({ score, positive: y === 1 }));

describe('ranking metrics on known inputs', () => {
  it('AP and AUC of a perfect and of a reversed ranking', () => {
    const perfect = data([
      [0.9, 1],
      [0.8, 1],
      [0.3, 0],
      [0.1, 0],
    ]);
    expect(averagePrecision(perfect)).toBe(1);
    expect(rocAuc(perfect)).toBe(1);
    const reversed = perfect.map((d) => ({ ...d, positive: !d.positive }));
    expect(rocAuc(reversed)).toBe(0);
    // Positives at ranks 3 and 4: AP = (1/3 + 2/4) / 2.
    expect(averagePrecision(reversed)).toBeCloseTo((1 / 3 + 2 / 4) / 2, 12);
  });

  it('matches the sklearn example (y = [0,0,1,1], s = [0.1,0.4,0.35,0.8])', () => {
    const d = data([
      [0.1, 0],
      [0.4, 0],
      [0.35, 1],
      [0.8, 1],
    ]);
    expect(averagePrecision(d)).toBeCloseTo(0.8333333333, 9);
    expect(rocAuc(d)).toBeCloseTo(0.75, 12);
  });

  it('counts ties as half in AUC and as one step in AP', () => {
    const tied = data([
      [0.5, 1],
      [0.5, 0],
    ]);
    expect(rocAuc(tied)).toBe(0.5);
    expect(averagePrecision(tied)).toBe(0.5);
    expect(Number.isNaN(rocAuc(data([[0.2, 1]])))).toBe(true);
    expect(Number.isNaN(averagePrecision(data([[0.2, 0]])))).toBe(true);
  });

  it('refuses NaN scores instead of ranking them (a NaN once stalled the AUC loop)', () => {
    const d = data([
      [Number.NaN, 1],
      [0.2, 0],
    ]);
    expect(() => rocAuc(d)).toThrow(/score NaN at index 0 is not a finite number/);
    expect(() => averagePrecision(d)).toThrow(RangeError);
  });

  it('computes precision/recall at a threshold and picks thresholds', () => {
    const d = data([
      [0.95, 1],
      [0.9, 1],
      [0.7, 0],
      [0.6, 1],
      [0.2, 0],
      [0.1, 0],
    ]);
    expect(metricsAt(d, 0.6)).toMatchObject({
      precision: 0.75,
      recall: 1,
      truePositives: 3,
      falsePositives: 1,
    });
    expect(bestF1Threshold(d)?.threshold).toBe(0.6); // F1 = 6/7 beats 0.9's 0.8
    expect(thresholdForPrecision(d, 1)?.threshold).toBe(0.9);
    expect(thresholdForPrecision(d, 0.7)?.threshold).toBe(0.6);
  });
});
