/**
 * Separable weighted resampling of image channels (src/kernels/native/weighted-resample.ts,
 * native/resample.cc `ResampleWeighted`): the addon's loop and the JavaScript one agree bit for
 * bit, both equal the stages written as matrix products, and tables or regions that would read
 * outside their input are refused, by the addon too when it is called directly.
 */
import { describe, expect, it } from 'vitest';
import { loadNativeAddon, resampleWeighted } from '../src/backend/index.js';
import type { AxisWeights, WeightStage } from '../src/backend/index.js';

/** A deterministic pseudo-random source (LCG) so a failure reproduces. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** `outputs` entries over `inputs` samples, each reading 1-7 neighbours with weights summing to 1. */
function randomAxis(inputs: number, outputs: number, rand: () => number): AxisWeights {
  const first = new Int32Array(outputs);
  const count = new Int32Array(outputs);
  const offset = new Int32Array(outputs);
  const w: number[] = [];
  for (let i = 0; i < outputs; i++) {
    const n = Math.min(inputs, 1 + Math.floor(rand() * 7));
    first[i] = Math.floor(rand() * (inputs - n + 1));
    count[i] = n;
    offset[i] = w.length;
    const taps = Array.from({ length: n }, () => rand() - 0.2);
    const total = taps.reduce((a, b) => a + b, 0) || 1;
    for (const t of taps) w.push(t / total);
  }
  return { first, count, offset, w: Float64Array.from(w) };
}

/** The axis as a dense outputs x inputs matrix. */
function dense(axis: AxisWeights, inputs: number): number[][] {
  return Array.from(axis.first, (first, i) => {
    const row = new Array<number>(inputs).fill(0);
    for (let k = 0; k < axis.count[i]!; k++) row[first + k]! += axis.w[axis.offset[i]! + k]!;
    return row;
  });
}

/** Y * P * X^T for each stage, in plain nested loops. */
function reference(plane: number[][], stages: WeightStage[]): number[][] {
  let p = plane;
  for (const { x, y } of stages) {
    const X = dense(x, p[0]!.length);
    const Y = dense(y, p.length);
    const across = p.map((row) => X.map((xr) => xr.reduce((s, w, j) => s + w * row[j]!, 0)));
    p = Y.map((yr) => across[0]!.map((_, j) => yr.reduce((s, w, i) => s + w * across[i]![j]!, 0)));
  }
  return p;
}

describe('resampleWeighted', () => {
  const native = loadNativeAddon().module;

  it('equals the stages as matrix products, with and without the addon, bit for bit between them', () => {
    const rand = lcg(7);
    for (const [stride, rows, left, top, width, height, mid, out] of [
      [97, 61, 5, 3, 80, 50, 20, 9],
      [64, 64, 0, 0, 64, 64, 32, 16],
      [13, 300, 12, 0, 1, 300, 1, 1],
    ] as const) {
      const src = Float32Array.from({ length: stride * rows }, () => rand() * 255);
      const stages: WeightStage[] = [
        { x: randomAxis(width, mid, rand), y: randomAxis(height, mid + 3, rand) },
        { x: randomAxis(mid, out, rand), y: randomAxis(mid + 3, out + 1, rand) },
      ];
      const region = { left, top, width, height };
      const viaJs = new Float32Array(out * (out + 1));
      resampleWeighted({ data: src, stride }, region, stages, viaJs, -Infinity, Infinity, null);
      const plane = Array.from({ length: height }, (_, y) =>
        Array.from(src.subarray((top + y) * stride + left, (top + y) * stride + left + width)),
      );
      const want = reference(plane, stages).flat();
      want.forEach((v, i) => expect(viaJs[i]).toBeCloseTo(v, 3));
      if (native?.resampleWeighted) {
        const viaAddon = new Float32Array(viaJs.length);
        resampleWeighted(
          { data: src, stride },
          region,
          stages,
          viaAddon,
          -Infinity,
          Infinity,
          native,
        );
        expect(viaAddon).toEqual(viaJs);
      }
    }
  });

  it('reads one channel of interleaved 8-bit pixels as the same values in a float plane', () => {
    const rand = lcg(3);
    const [stride, rows, channels] = [41, 29, 3];
    const pixels = Uint8Array.from({ length: stride * rows * channels }, () => rand() * 256);
    const region = { left: 3, top: 2, width: 37, height: 26 };
    const stages: WeightStage[] = [
      { x: randomAxis(37, 12, rand), y: randomAxis(26, 10, rand) },
      { x: randomAxis(12, 5, rand), y: randomAxis(10, 4, rand) },
    ];
    for (let channel = 0; channel < channels; channel++) {
      const plane = Float32Array.from(
        { length: stride * rows },
        (_, p) => pixels[p * channels + channel]!,
      );
      const want = new Float32Array(20);
      resampleWeighted({ data: plane, stride }, region, stages, want, 0, 255, null);
      for (const addon of [null, native ?? null]) {
        const got = new Float32Array(20);
        resampleWeighted(
          { data: pixels, stride, channels, channel },
          region,
          stages,
          got,
          0,
          255,
          addon,
        );
        expect(got).toEqual(want);
      }
    }
    expect(() =>
      resampleWeighted(
        { data: pixels, stride, channels, channel: 3 },
        region,
        stages,
        new Float32Array(20),
      ),
    ).toThrow(/channel 3 of 3/);
  });

  it('rounds the across sums to float32 where a stage asks, with and without the addon', () => {
    const rand = lcg(5);
    const src = Float32Array.from({ length: 70 * 50 }, () => rand() * 255);
    const region = { left: 0, top: 0, width: 70, height: 50 };
    const x = randomAxis(70, 30, rand);
    const y = randomAxis(50, 20, rand);
    // The reference: the across pass into a Float32Array, then the down pass over it.
    const rows = new Float32Array(50 * 30);
    for (let r = 0; r < 50; r++)
      for (let j = 0; j < 30; j++) {
        let v = 0;
        for (let k = 0; k < x.count[j]!; k++)
          v += x.w[x.offset[j]! + k]! * src[r * 70 + x.first[j]! + k]!;
        rows[r * 30 + j] = v;
      }
    const want = new Float32Array(20 * 30);
    for (let i = 0; i < 20; i++)
      for (let j = 0; j < 30; j++) {
        let v = 0;
        for (let k = 0; k < y.count[i]!; k++)
          v += y.w[y.offset[i]! + k]! * rows[(y.first[i]! + k) * 30 + j]!;
        want[i * 30 + j] = v;
      }
    for (const addon of [null, native ?? null]) {
      const rounded = new Float32Array(600);
      resampleWeighted(
        { data: src, stride: 70 },
        region,
        [{ x, y, roundAcross: true }],
        rounded,
        -Infinity,
        Infinity,
        addon,
      );
      expect(rounded).toEqual(want);
      const exact = new Float32Array(600);
      resampleWeighted(
        { data: src, stride: 70 },
        region,
        [{ x, y }],
        exact,
        -Infinity,
        Infinity,
        addon,
      );
      // The flag changes some last bits: it is not a no-op.
      expect(exact.some((v, i) => v !== rounded[i])).toBe(true);
    }
  });

  it('clamps the last stage to [lo, hi]', () => {
    const src = Float32Array.from({ length: 16 }, (_, i) => i * 30 - 100);
    const identity = (n: number): AxisWeights => ({
      first: Int32Array.from({ length: n }, (_, i) => i),
      count: new Int32Array(n).fill(1),
      offset: Int32Array.from({ length: n }, (_, i) => i),
      w: new Float64Array(n).fill(1),
    });
    for (const addon of [null, native ?? null]) {
      const out = new Float32Array(16);
      const region = { left: 0, top: 0, width: 4, height: 4 };
      resampleWeighted(
        { data: src, stride: 4 },
        region,
        [{ x: identity(4), y: identity(4) }],
        out,
        0,
        255,
        addon,
      );
      expect(Array.from(out)).toEqual(Array.from(src, (v) => Math.min(255, Math.max(0, v))));
    }
  });

  it('refuses regions, tables and outputs that do not fit', () => {
    const rand = lcg(1);
    const src = new Float32Array(10 * 10);
    const ok: WeightStage = { x: randomAxis(8, 4, rand), y: randomAxis(8, 4, rand) };
    const region = { left: 2, top: 2, width: 8, height: 8 };
    for (const addon of [null, native ?? null]) {
      const run =
        (r: typeof region, stages: WeightStage[], dst = new Float32Array(16)) =>
        () =>
          resampleWeighted({ data: src, stride: 10 }, r, stages, dst, 0, 1, addon);
      expect(run({ ...region, left: 3 }, [ok])).toThrow(/not inside/);
      expect(run({ ...region, height: 9 }, [ok])).toThrow(/not inside/);
      const reachesOut = { ...ok.x, first: Int32Array.from(ok.x.first, () => 6) };
      expect(run(region, [{ ...ok, x: reachesOut }])).toThrow(/reads samples/);
      expect(run(region, [ok], new Float32Array(15))).toThrow(/dst holds 15/);
      expect(run(region, [])).toThrow(/no stage/);
    }
  });

  it.runIf(native?.resampleWeighted !== undefined)(
    'the addon itself refuses packed tables that would read out of bounds',
    () => {
      const src = new Float32Array(16);
      const dst = new Float32Array(1);
      const one = Float64Array.of(1, 0, 4, 0.25, 0.25, 0.25, 0.25);
      const call = (x: Float64Array, y: Float64Array) => () =>
        native!.resampleWeighted!(src, [4, 0, 0, 4, 4, 1, 0], [x, y], dst, 0, 1);
      expect(call(one, one)).not.toThrow();
      expect(call(Float64Array.of(1, 1, 4, 0.25, 0.25, 0.25, 0.25), one)).toThrow(/does not fit/);
      expect(call(Float64Array.of(1, 0, 5, 0.2, 0.2, 0.2, 0.2), one)).toThrow(/does not fit/);
      expect(call(Float64Array.of(2, 0, 1, 1), one)).toThrow(/does not fit/);
      expect(call(Float64Array.of(1, 0.5, 1, 1), one)).toThrow(/does not fit/);
      expect(() =>
        native!.resampleWeighted!(src, [4, 0, 1, 4, 4, 1, 0], [one, one], dst, 0, 1),
      ).toThrow(/not inside/);
    },
  );
});
