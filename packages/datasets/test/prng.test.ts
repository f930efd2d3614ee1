import { describe, expect, it } from 'vitest';
import { createRng, shuffledIndices, stableUnitHash } from '../src/index.js';

describe('createRng', () => {
  it('repeats the same sequence for the same seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 50 }, () => rng.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(0.5)).not.toEqual(draw(0));
    expect(draw(-3)).toEqual(draw(-3));
  });

  it('draws uniform floats in [0, 1) and normals with mean 0, variance 1', () => {
    const rng = createRng(123);
    const n = 200_000;
    let sum = 0;
    let min = 1;
    let max = 0;
    let normalSum = 0;
    let normalSq = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
      const z = rng.normal();
      normalSum += z;
      normalSq += z * z;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // Standard errors: uniform mean 0.00065, normal mean 0.0022, normal variance 0.0032.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(normalSum / n)).toBeLessThan(0.012);
    expect(Math.abs(normalSq / n - 1)).toBeLessThan(0.016);
  });

  it('rejects a non-finite seed', () => {
    expect(() => createRng(Number.NaN)).toThrow(/seed must be a finite number/);
  });
});

describe('shuffledIndices', () => {
  it('is a permutation, reproducible per seed and different across seeds', () => {
    const a = shuffledIndices(1000, 1);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(shuffledIndices(1000, 1)).toEqual(a);
    const b = shuffledIndices(1000, 2);
    expect(b).not.toEqual(a);
    // Not the identity either: a shuffle that moved nothing would pass the checks above.
    expect(a.filter((v, i) => v === i).length).toBeLessThan(20);
  });

  it('puts every value in every position about equally often', () => {
    const n = 5;
    const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const trials = 20_000;
    for (let seed = 0; seed < trials; seed++) {
      shuffledIndices(n, seed).forEach((v, pos) => counts[pos]![v]!++);
    }
    for (const row of counts)
      for (const c of row) expect(Math.abs(c / trials - 1 / n)).toBeLessThan(0.015);
  });
});

describe('stableUnitHash', () => {
  it('maps strings to [0, 1) stably and spreads similar keys', () => {
    expect(stableUnitHash('a/b.png')).toBe(stableUnitHash('a/b.png'));
    const values = Array.from({ length: 10_000 }, (_, i) => stableUnitHash(`img_${i}.png`));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const belowTenth = values.filter((v) => v < 0.1).length / values.length;
    expect(Math.abs(belowTenth - 0.1)).toBeLessThan(0.015);
  });
});
