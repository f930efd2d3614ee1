/**
 * The addon's two paths for convolutions and matrix products, oneDNN (native/onednn.cc) and
 * OpenBLAS (im2col + sgemm, native/conv-matmul.cc): each convolution pass (forward, backward data,
 * backward weights) of each geometry the models use and each product shape of a dense layer
 * against a direct loop in float64, the two paths against each other, and oneDNN's results
 * repeatable bit for bit (exact resume depends on it).
 */
import { existsSync } from 'node:fs';

import { afterAll, describe, expect, it } from 'vitest';

import { loadNativeAddon } from '../src/backend/index.js';
import { firstDifference } from './gan-helpers.js';
import { NATIVE } from './kernel-harness.js';

const addon = loadNativeAddon().module;
const ONEDNN = NATIVE && addon?.onednn?.() === true;

/** [n, h, w, ci, kh, kw, co, ho, wo, sh, sw, padTop, padLeft, dh, dw], as the kernels take it. */
type Geometry = [
  number, number, number, number, number, number, number, number,
  number, number, number, number, number, number, number,
]; // prettier-ignore

const geometries: Record<string, Geometry> = {
  // The avatar ResNet: 3x3 'same' at 64x64 (16 channels) and 8x8 (128 -> 64).
  'ResNet 3x3, 16 channels at 16x16': [2, 16, 16, 16, 3, 3, 16, 16, 16, 1, 1, 1, 1, 1, 1],
  'ResNet 3x3, 128 -> 64 at 8x8': [2, 8, 8, 128, 3, 3, 64, 8, 8, 1, 1, 1, 1, 1, 1],
  // The DCGANs: 5x5 stride 2 'same' (TF pads 1 before and 2 after on an even map).
  'DCGAN 5x5 stride 2, 14x14 -> 7x7': [3, 14, 14, 8, 5, 5, 12, 7, 7, 2, 2, 1, 1, 1, 1],
  'RGB input, 3 -> 8, 5x5 stride 2 at 32x32': [2, 32, 32, 3, 5, 5, 8, 16, 16, 2, 2, 1, 1, 1, 1],
  'pointwise 1x1': [2, 6, 6, 24, 1, 1, 40, 6, 6, 1, 1, 0, 0, 1, 1],
  'dilation 2, odd map': [1, 9, 11, 4, 3, 3, 5, 9, 11, 1, 1, 2, 2, 2, 2],
  // 'valid' with a row and a column left over: oneDNN gets a negative padding and declines, so
  // im2col runs it on both paths.
  'valid, stride 2, leftover': [2, 7, 7, 3, 2, 2, 4, 3, 3, 2, 2, 0, 0, 1, 1],
};

/** Deterministic values in [-1, 1). */
function filled(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Visits every (image, output pixel, tap, input channel, output channel) term of the conv. */
function forEachTerm(
  g: Geometry,
  visit: (xIndex: number, wIndex: number, yIndex: number) => void,
): void {
  const [n, h, w, ci, kh, kw, co, ho, wo, sh, sw, pt, pl, dh, dw] = g;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++)
        for (let a = 0; a < kh; a++) {
          const iy = oy * sh - pt + a * dh;
          if (iy < 0 || iy >= h) continue;
          for (let c = 0; c < kw; c++) {
            const ix = ox * sw - pl + c * dw;
            if (ix < 0 || ix >= w) continue;
            for (let i = 0; i < ci; i++)
              for (let o = 0; o < co; o++)
                visit(
                  ((b * h + iy) * w + ix) * ci + i,
                  ((a * kw + c) * ci + i) * co + o,
                  ((b * ho + oy) * wo + ox) * co + o,
                );
          }
        }
}

interface Pass {
  name: 'forward' | 'backward data' | 'backward weights';
  run(x: Float32Array, w: Float32Array, y: Float32Array, g: Geometry): Float32Array;
  reference(x: Float32Array, w: Float32Array, y: Float32Array, g: Geometry): Float64Array;
}

const sizes = (g: Geometry) => ({
  x: g[0] * g[1] * g[2] * g[3],
  w: g[4] * g[5] * g[3] * g[6],
  y: g[0] * g[7] * g[8] * g[6],
});

const passes: Pass[] = [
  {
    name: 'forward',
    run: (x, w, _dy, g) => {
      const y = new Float32Array(sizes(g).y);
      addon!.conv2d(x, w, y, g);
      return y;
    },
    reference: (x, w, _dy, g) => {
      const y = new Float64Array(sizes(g).y);
      forEachTerm(g, (xi, wi, yi) => (y[yi]! += x[xi]! * w[wi]!));
      return y;
    },
  },
  {
    name: 'backward data',
    run: (_x, w, dy, g) => {
      const dx = new Float32Array(sizes(g).x);
      addon!.conv2dBackpropInput(dy, w, dx, g);
      return dx;
    },
    reference: (_x, w, dy, g) => {
      const dx = new Float64Array(sizes(g).x);
      forEachTerm(g, (xi, wi, yi) => (dx[xi]! += dy[yi]! * w[wi]!));
      return dx;
    },
  },
  {
    name: 'backward weights',
    run: (x, _w, dy, g) => {
      const dw = new Float32Array(sizes(g).w);
      addon!.conv2dBackpropFilter(x, dy, dw, g);
      return dw;
    },
    reference: (x, _w, dy, g) => {
      const dw = new Float64Array(sizes(g).w);
      forEachTerm(g, (xi, wi, yi) => (dw[wi]! += x[xi]! * dy[yi]!));
      return dw;
    },
  },
];

/** Largest |a - b| over the largest |b|: scale-free, and 0 only for equal arrays. */
function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

describe.runIf(NATIVE)('the addon’s oneDNN and OpenBLAS paths', () => {
  afterAll(() => void addon?.onednn?.(ONEDNN));

  // CI installs libdnnl-dev beside OpenBLAS: oneDNN must then be what trains.
  it.runIf(
    process.env.GANMOD_REQUIRE_NATIVE === '1' && existsSync('/usr/include/oneapi/dnnl/dnnl.hpp'),
  )('runs convolutions and products on oneDNN where it is installed', () => {
    expect(addon?.onednn?.()).toBe(true);
  });

  it('refuses a switch that is not a boolean', () => {
    expect(() => addon?.onednn?.('im2col' as unknown as boolean)).toThrow(/onednn takes/);
  });

  const paths = ONEDNN ? [true, false] : [false];
  const pathName = (onednn: boolean) => (onednn ? 'oneDNN' : 'OpenBLAS');
  for (const [label, g] of Object.entries(geometries)) {
    it(`${label}: every pass matches a direct float64 loop on each path, and the paths agree`, () => {
      const { x: nx, w: nw, y: ny } = sizes(g);
      const x = filled(nx, 1);
      const w = filled(nw, 2);
      const dy = filled(ny, 3);
      for (const pass of passes) {
        const expected = pass.reference(x, w, dy, g);
        const results = paths.map((path) => {
          addon!.onednn?.(path);
          const before = addon!.onednnCalls?.() ?? 0;
          const out = pass.run(x, w, dy, g);
          // oneDNN runs every geometry here but the one with a leftover row (it declines those).
          const ranOnednn = path && !label.startsWith('valid');
          expect((addon!.onednnCalls?.() ?? 0) - before, `${pass.name} on ${pathName(path)}`).toBe(
            ranOnednn ? 1 : 0,
          );
          expect(
            relativeDifference(out, expected),
            `${pass.name} on ${pathName(path)}`,
          ).toBeLessThan(1e-5);
          return out;
        });
        if (results.length === 2)
          expect(relativeDifference(results[0]!, results[1]!), pass.name).toBeLessThan(1e-5);
      }
    });
  }

  it.runIf(ONEDNN)('gives the same bits every time for the same inputs', () => {
    addon!.onednn!(true);
    const g = geometries['ResNet 3x3, 16 channels at 16x16']!;
    const { x: nx, w: nw, y: ny } = sizes(g);
    const [x, w, dy] = [filled(nx, 4), filled(nw, 5), filled(ny, 6)];
    for (const pass of passes) {
      const [first, second] = [pass.run(x, w, dy, g), pass.run(x, w, dy, g)];
      expect(Buffer.from(first.buffer).equals(Buffer.from(second.buffer)), pass.name).toBe(true);
    }
  });

  // The products of a dense layer (x: [m, k], w: [k, n]): forward x w, the input gradient
  // dy w^T and the weight gradient x^T dy, at the MLP GAN's shapes and odd ones; and a batch.
  const products: [m: number, k: number, n: number][] = [
    [128, 100, 256],
    [128, 784, 512],
    [128, 256, 1],
    [7, 13, 5],
  ];
  for (const [m, k, n] of products) {
    it(`products of a ${m}x${k} by ${k}x${n} dense layer, each transpose: float64 loop, both paths`, () => {
      const x = filled(m * k, 7);
      const w = filled(k * n, 8);
      const dy = filled(m * n, 9);
      // [rows, cols, inner, a, b, transposeA, transposeB]: c = op(a) op(b), c is rows x cols.
      const cases: [string, number, number, number, Float32Array, Float32Array, 0 | 1, 0 | 1][] = [
        ['x w', m, n, k, x, w, 0, 0],
        ['dy w^T', m, k, n, dy, w, 0, 1],
        ['x^T dy', k, n, m, x, dy, 1, 0],
      ];
      for (const [name, rows, cols, inner, a, b, ta, tb] of cases) {
        const expected = new Float64Array(rows * cols);
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < cols; j++) {
            let sum = 0;
            for (let p = 0; p < inner; p++)
              sum += a[ta ? p * rows + i : i * inner + p]! * b[tb ? j * inner + p : p * cols + j]!;
            expected[i * cols + j] = sum;
          }
        const results = paths.map((path) => {
          addon!.onednn?.(path);
          const before = addon!.onednnCalls?.() ?? 0;
          const c = new Float32Array(rows * cols);
          addon!.matMul(a, b, c, [1, rows, cols, inner, ta, tb, 1, 1]);
          // oneDNN takes products from 2^20 multiply-adds; smaller ones stay on OpenBLAS.
          const large = rows * cols * inner >= 2 ** 20;
          expect(addon!.onednnCalls?.() ?? 0, `${name} on ${pathName(path)}`).toBe(
            before + (path && large ? 1 : 0),
          );
          expect(relativeDifference(c, expected), `${name} on ${pathName(path)}`).toBeLessThan(
            1e-5,
          );
          return c;
        });
        if (results.length === 2)
          expect(relativeDifference(results[0]!, results[1]!), name).toBeLessThan(1e-5);
      }
    });
  }

  it('a batched product broadcasts a single right operand on both paths', () => {
    const [batch, m, k, n] = [3, 4, 5, 6];
    const a = filled(batch * m * k, 10);
    const b = filled(k * n, 11);
    for (const path of paths) {
      addon!.onednn?.(path);
      const c = new Float32Array(batch * m * n);
      addon!.matMul(a, b, c, [batch, m, n, k, 0, 0, batch, 1]);
      for (let i = 0; i < batch; i++) {
        const single = new Float32Array(m * n);
        addon!.matMul(a.subarray(i * m * k, (i + 1) * m * k), b, single, [1, m, n, k, 0, 0, 1, 1]);
        expect(
          firstDifference(c.subarray(i * m * n, (i + 1) * m * n), single),
          pathName(path),
        ).toBeNull();
      }
    }
  });
});
