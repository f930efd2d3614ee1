// Latent arithmetic behind the generator playground, and its class names.
import { describe, expect, it } from 'vitest';
import { generatorClassNames } from '~/lib/class-names';
import {
  inCluster,
  interpolate,
  latentVector,
  moveAlong,
  orthonormalDirections,
  toRgbaGrid,
} from '~/lib/latent';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const norm = (a: Float32Array) => Math.sqrt(dot(a, a));

describe('latent vectors', () => {
  it('are reproducible per (seed, index) and differ across them', () => {
    expect(latentVector(5, 0, 100)).toEqual(latentVector(5, 0, 100));
    expect(latentVector(5, 0, 100)).not.toEqual(latentVector(5, 1, 100));
    expect(latentVector(5, 0, 100)).not.toEqual(latentVector(6, 0, 100));
    expect(latentVector(5, 0, 7)).toHaveLength(7);
  });

  it('are standard normal', () => {
    const values = Array.from({ length: 200 }, (_, i) => [...latentVector(1, i, 101)]).flat();
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
    expect(values.every(Number.isFinite)).toBe(true);
  });

  it('refuses a non-positive size', () => {
    expect(() => latentVector(1, 0, 0)).toThrow(/latent size must be > 0/);
  });

  it('truncated: stay within the threshold, reproducibly, with the truncated variance', () => {
    const t = 1;
    const values = Array.from({ length: 200 }, (_, i) => [...latentVector(1, i, 101, t)]).flat();
    expect(Math.max(...values.map((v) => Math.abs(v)))).toBeLessThanOrEqual(t);
    const variance = values.reduce((s, v) => s + v * v, 0) / values.length;
    // Var of N(0, 1) on [-1, 1]: 1 - 2φ(1) / (2Φ(1) - 1) = 0.2911.
    expect(Math.abs(variance - 0.2911)).toBeLessThan(0.01);
    expect(latentVector(5, 0, 100, t)).toEqual(latentVector(5, 0, 100, t));
    // No threshold is the plain vector: the playground's untruncated samples are unchanged.
    expect(latentVector(5, 0, 100, Infinity)).toEqual(latentVector(5, 0, 100));
    expect(() => latentVector(1, 0, 4, 0)).toThrow(/truncation must be > 0, got 0/);
  });
});

describe('latent directions and interpolation', () => {
  it('gives orthonormal directions, reproducible from their seed', () => {
    const dirs = orthonormalDirections(3, 4, 64);
    for (let i = 0; i < dirs.length; i++) {
      expect(norm(dirs[i]!)).toBeCloseTo(1, 5);
      for (let j = i + 1; j < dirs.length; j++) expect(dot(dirs[i]!, dirs[j]!)).toBeCloseTo(0, 5);
    }
    expect(orthonormalDirections(3, 4, 64)).toEqual(dirs);
    expect(() => orthonormalDirections(3, 5, 4)).toThrow(/cannot have 5 orthogonal directions/);
  });

  it('moves along a direction by exactly the amount asked', () => {
    const z = latentVector(9, 0, 32);
    const dirs = orthonormalDirections(1, 2, 32);
    const moved = moveAlong(z, dirs, [2, 0]);
    expect(dot(moved, dirs[0]!) - dot(z, dirs[0]!)).toBeCloseTo(2, 5);
    expect(dot(moved, dirs[1]!) - dot(z, dirs[1]!)).toBeCloseTo(0, 5);
    expect(moveAlong(z, dirs, [0, 0])).toEqual(z);
  });

  it('interpolates from one end to the other; slerp keeps the norm, lerp sags', () => {
    const a = latentVector(1, 0, 128);
    const b = latentVector(2, 0, 128);
    const slerp = interpolate(a, b, 9);
    const lerp = interpolate(a, b, 9, 'linear');
    for (const path of [slerp, lerp]) {
      expect(path).toHaveLength(9);
      path[0]!.forEach((v, i) => expect(v).toBeCloseTo(a[i]!, 5));
      path[8]!.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 5));
    }
    const ends = (norm(a) + norm(b)) / 2;
    expect(norm(slerp[4]!)).toBeGreaterThan(0.9 * ends);
    expect(norm(lerp[4]!)).toBeLessThan(0.85 * ends);
    expect(() => interpolate(a, b, 1)).toThrow(/at least 2 frames/);
  });
});

describe('drawing generator output', () => {
  it('maps [-1, 1] to bytes and lays images out in a grid (grey and colour)', () => {
    // Two 1×2 grey images: [-1, 1] and [0, 0.5].
    const grey = toRgbaGrid(Float32Array.from([-1, 1, 0, 0.5]), 2, [1, 2, 1], 2);
    expect(grey.width).toBe(4);
    expect(grey.height).toBe(1);
    expect([...grey.pixels.filter((_, i) => i % 4 === 0)]).toEqual([0, 255, 128, 191]);
    expect([...grey.pixels.filter((_, i) => i % 4 === 3)]).toEqual([255, 255, 255, 255]);
    const rgb = toRgbaGrid(Float32Array.from([1, -1, 0, -1, 1, 1]), 2, [1, 1, 3], 1);
    expect([rgb.width, rgb.height]).toEqual([1, 2]);
    expect([...rgb.pixels]).toEqual([255, 0, 128, 255, 0, 255, 255, 255]);
    expect(() => toRgbaGrid(new Float32Array(3), 2, [1, 2, 1], 2)).toThrow(/expected 2×1×2×1/);
  });
});

describe('class names of a conditional generator', () => {
  it('are the datasets’ own lists', () => {
    expect(generatorClassNames({ dataset: { kind: 'mnist' } }, 10)).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    expect(generatorClassNames({ dataset: { kind: 'fashion-mnist' } }, 10)[0]).toBe('T-shirt/top');
    expect(generatorClassNames({ dataset: { kind: 'emoji' } }, 10)[9]).toBe('Flags');
  });

  it('follow the config: dataset kind, class filter, else numbered', () => {
    expect(generatorClassNames({ dataset: { kind: 'fashion-mnist' } }, 10)[9]).toBe('Ankle boot');
    expect(
      generatorClassNames({ dataset: { kind: 'emoji', classes: ['Flags', 'Objects'] } }, 2),
    ).toEqual(['Flags', 'Objects']);
    expect(generatorClassNames({ dataset: { kind: 'folder', path: '/x' } }, 3)).toEqual([
      'class 0',
      'class 1',
      'class 2',
    ]);
    // A count that does not match the generator is not trusted.
    expect(generatorClassNames({ dataset: { kind: 'mnist' } }, 4)).toEqual([
      'class 0',
      'class 1',
      'class 2',
      'class 3',
    ]);
  });
});

describe('clusters of a self-conditioned generator', () => {
  const thresholds = [-0.5, 0.5];

  it('moves only the first latent value, into the chosen cluster', () => {
    const z = latentVector(3, 0, 10);
    expect(inCluster(z, null, 1)).toBe(z);
    expect(inCluster(z, thresholds, -1)).toBe(z);
    for (const [cluster, lower, upper] of [
      [0, -Infinity, -0.5],
      [1, -0.5, 0.5],
      [2, 0.5, Infinity],
    ] as const) {
      const moved = inCluster(z, thresholds, cluster);
      expect(moved[0]).toBeGreaterThan(lower);
      expect(moved[0]).toBeLessThan(upper);
      expect(moved.subarray(1)).toEqual(z.subarray(1));
    }
    // The caller's vector is not changed.
    expect(z).toEqual(latentVector(3, 0, 10));
  });
});
