/**
 * The addon's two convolution paths, oneDNN (native/conv-onednn.cc) and im2col + sgemm
 * (native/conv-matmul.cc): each pass (forward, backward data, backward weights) of each geometry
 * the models use against a direct loop in float64, the two paths against each other, and oneDNN's
 * results repeatable bit for bit (exact resume depends on it).
 */
import { existsSync } from 'node:fs';

import { afterAll, describe, expect, it } from 'vitest';

import { loadNativeAddon } from '../src/backend/index.js';
import { NATIVE } from './kernel-harness.js';

const addon = loadNativeAddon().module;
const ONEDNN = NATIVE && addon?.convImplementation?.() === 'onednn';

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

describe.runIf(NATIVE)('the addon’s convolution paths', () => {
  afterAll(() => void addon?.convImplementation?.(ONEDNN ? 'onednn' : 'im2col'));

  // CI installs libdnnl-dev beside OpenBLAS: oneDNN must then be what trains.
  it.runIf(
    process.env.GANMOD_REQUIRE_NATIVE === '1' && existsSync('/usr/include/oneapi/dnnl/dnnl.hpp'),
  )('runs convolutions on oneDNN where it is installed', () => {
    expect(addon?.convImplementation?.()).toBe('onednn');
  });

  it('refuses an unknown path by name', () => {
    expect(() => addon?.convImplementation?.('winograd' as 'onednn')).toThrow(
      /convImplementation takes/,
    );
  });

  const paths = ONEDNN ? (['onednn', 'im2col'] as const) : (['im2col'] as const);
  for (const [label, g] of Object.entries(geometries)) {
    it(`${label}: every pass matches a direct float64 loop on each path, and the paths agree`, () => {
      const { x: nx, w: nw, y: ny } = sizes(g);
      const x = filled(nx, 1);
      const w = filled(nw, 2);
      const dy = filled(ny, 3);
      for (const pass of passes) {
        const expected = pass.reference(x, w, dy, g);
        const results = paths.map((path) => {
          addon!.convImplementation?.(path);
          const before = addon!.convOnednnPasses?.() ?? 0;
          const out = pass.run(x, w, dy, g);
          // oneDNN runs every geometry here but the one with a leftover row (it declines those).
          const ranOnednn = path === 'onednn' && !label.startsWith('valid');
          expect((addon!.convOnednnPasses?.() ?? 0) - before, `${pass.name} on ${path}`).toBe(
            ranOnednn ? 1 : 0,
          );
          expect(relativeDifference(out, expected), `${pass.name} on ${path}`).toBeLessThan(1e-5);
          return out;
        });
        if (results.length === 2)
          expect(relativeDifference(results[0]!, results[1]!), pass.name).toBeLessThan(1e-5);
      }
    });
  }

  it.runIf(ONEDNN)('gives the same bits every time for the same inputs', () => {
    addon!.convImplementation!('onednn');
    const g = geometries['ResNet 3x3, 16 channels at 16x16']!;
    const { x: nx, w: nw, y: ny } = sizes(g);
    const [x, w, dy] = [filled(nx, 4), filled(nw, 5), filled(ny, 6)];
    for (const pass of passes) {
      const [first, second] = [pass.run(x, w, dy, g), pass.run(x, w, dy, g)];
      expect(Buffer.from(first.buffer).equals(Buffer.from(second.buffer)), pass.name).toBe(true);
    }
  });
});
