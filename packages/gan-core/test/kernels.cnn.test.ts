/**
 * The addon's oneDNN CNN trunk (src/kernels/native/cnn.ts, native/cnn.cc): a small MobileNetV2-like
 * net (strided 3x3 with explicit padding, an inverted residual block with a depthwise layer and a
 * residual sum, ReLU and ReLU6, odd sizes) against the same ops on TF.js's cpu backend, and its
 * checks of inconsistent descriptions; its bf16, int8 and mixed precisions against its f32, and
 * their gating on the CPU's instructions. Where oneDNN's headers are installed the addon must
 * have it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createNativeCnn,
  loadNativeAddon,
  nativeCnnPrecision,
  type CnnDescription,
} from '../src/backend/index.js';
import { NATIVE, values } from './kernel-harness.js';

const ONEDNN = existsSync('/usr/include/oneapi/dnnl/dnnl.hpp');

/** Conv description plus the same op on TF.js (filter HWIO, explicit padding). */
function conv(
  input: number,
  shape: [number, number, number, number],
  strides: number,
  pad: [number, number, number, number],
  activation: 'linear' | 'relu' | 'relu6',
  seed: number,
  depthwise = false,
) {
  const [kh, kw, ci, co] = shape;
  const filter = values(kh * kw * ci * (depthwise ? 1 : co), seed).map((v) => v * 0.5);
  const bias = values(co, seed + 1);
  return {
    node: {
      op: 'conv' as const,
      input,
      depthwise,
      shape,
      filter,
      bias,
      strides: [strides, strides] as [number, number],
      pad,
      activation,
    },
    apply(x: tf.Tensor4D): tf.Tensor4D {
      const p: [[number, number], [number, number], [number, number], [number, number]] = [
        [0, 0],
        [pad[0], pad[1]],
        [pad[2], pad[3]],
        [0, 0],
      ];
      const args = {
        x,
        bias: tf.tensor1d(bias),
        strides,
        pad: p as unknown as 'valid',
        activation,
      };
      return depthwise
        ? tf.fused.depthwiseConv2d({ ...args, filter: tf.tensor4d(filter, [kh, kw, ci, 1]) })
        : tf.fused.conv2d({ ...args, filter: tf.tensor4d(filter, shape) });
    },
  };
}

/** The small inverted-residual net of the tests, and its f32 output on `images` inputs `x`. */
function smallNet() {
  const stem = conv(-1, [3, 3, 3, 8], 2, [0, 1, 0, 1], 'relu6', 10);
  const expand = conv(0, [1, 1, 8, 24], 1, [0, 0, 0, 0], 'relu6', 20);
  const depthwise = conv(1, [3, 3, 24, 24], 1, [1, 1, 1, 1], 'relu', 30, true);
  const project = conv(2, [1, 1, 24, 8], 1, [0, 0, 0, 0], 'linear', 40);
  const description: CnnDescription = {
    input: [13, 11, 3],
    nodes: [stem.node, expand.node, depthwise.node, project.node, { op: 'add', inputs: [3, 0] }],
  };
  return { stem, expand, depthwise, project, description };
}

/** Largest |a - b| relative to the largest |b|. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return worst / scale;
}

describe('native CNN precision gating', () => {
  it('runs bf16 only with AVX512_BF16 and int8 only with VNNI, f32 otherwise', () => {
    // [oneDNN's ISA, what bf16 runs as, what int8 runs as]
    const table: [string, string, string][] = [
      ['avx512_core_amx', 'bf16', 'int8'],
      ['avx512_core_bf16', 'bf16', 'int8'],
      ['avx512_core_vnni', 'f32', 'int8'],
      ['avx512_core', 'f32', 'f32'],
      ['avx2_vnni', 'f32', 'int8'],
      ['avx2', 'f32', 'f32'],
      ['other', 'f32', 'f32'],
    ];
    for (const [isa, bf16, int8] of table) {
      expect([nativeCnnPrecision('bf16', isa), nativeCnnPrecision('int8', isa)]).toEqual([
        bf16,
        int8,
      ]);
      expect(nativeCnnPrecision('f32', isa)).toBe('f32');
    }
  });
});

describe.runIf(NATIVE)('native CNN trunk (oneDNN)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is built where oneDNN is installed', () => {
    expect(typeof loadNativeAddon().module?.cnnCreate).toBe(ONEDNN ? 'function' : 'undefined');
  });

  it.runIf(ONEDNN)('matches TF.js on a small inverted-residual net, image by image', () => {
    const stem = conv(-1, [3, 3, 3, 8], 2, [0, 1, 0, 1], 'relu6', 10);
    const expand = conv(0, [1, 1, 8, 24], 1, [0, 0, 0, 0], 'relu6', 20);
    const depthwise = conv(1, [3, 3, 24, 24], 1, [1, 1, 1, 1], 'relu', 30, true);
    const project = conv(2, [1, 1, 24, 8], 1, [0, 0, 0, 0], 'linear', 40);
    const description: CnnDescription = {
      input: [13, 11, 3],
      nodes: [stem.node, expand.node, depthwise.node, project.node, { op: 'add', inputs: [3, 0] }],
    };
    const cnn = createNativeCnn(description)!;
    expect(cnn.outputShape).toEqual([6, 5, 8]);
    const images = 3;
    const x = values(images * 13 * 11 * 3, 7);
    const got = cnn.run(x, images);
    const expected = tf.tidy(() => {
      const input = tf.tensor4d(x, [images, 13, 11, 3]);
      const s = stem.apply(input);
      return tf.add(project.apply(depthwise.apply(expand.apply(s))), s).dataSync();
    });
    expect(got.length).toBe(expected.length);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-4);
    // The activations are not all clipped or all zero: the comparison means something.
    expect(new Set(Array.from(got, (v) => v.toFixed(3))).size).toBeGreaterThan(100);
    // Into a caller's array (longer than needed: its head is used), the same values; one image
    // after three reuses the array's start; too short an array is not written.
    const into = new Float32Array(got.length + 5).fill(NaN);
    const reused = cnn.run(x, images, into);
    expect(reused.buffer).toBe(into.buffer);
    expect(Array.from(reused)).toEqual(Array.from(got));
    expect(Number.isNaN(into[got.length])).toBe(true);
    const one = cnn.run(x.subarray(0, 13 * 11 * 3), 1, into);
    expect(Array.from(one)).toEqual(Array.from(got.subarray(0, one.length)));
    const short = new Float32Array(3);
    expect(cnn.run(x, images, short)).toHaveLength(got.length);
    expect(Array.from(short)).toEqual([0, 0, 0]);
  });

  it.runIf(ONEDNN)('refuses inconsistent descriptions and arrays with a message', () => {
    const stem = conv(-1, [3, 3, 3, 8], 1, [1, 1, 1, 1], 'relu', 1);
    expect(() => createNativeCnn({ input: [8, 8, 4], nodes: [stem.node] })).toThrow(
      /invalid cnn convolution/,
    );
    expect(() =>
      createNativeCnn({ input: [8, 8, 3], nodes: [{ ...stem.node, input: 2 }] }),
    ).toThrow(/reads a later node/);
    expect(() =>
      createNativeCnn({
        input: [8, 8, 3],
        nodes: [stem.node, { op: 'add', inputs: [0, -1] }],
      }),
    ).toThrow(/different shapes/);
    expect(() =>
      createNativeCnn({
        input: [8, 8, 3],
        nodes: [{ ...stem.node, filter: new Float32Array(5) }],
      }),
    ).toThrow(/wrong size/);
    const cnn = createNativeCnn({ input: [8, 8, 3], nodes: [stem.node] })!;
    expect(() => cnn.run(new Float32Array(8 * 8 * 3 + 1), 1)).toThrow(/do not match/);
  });

  it.runIf(ONEDNN)('runs bf16, int8 and mixed trunks within their rounding of f32', () => {
    const { description } = smallNet();
    const images = 4;
    const x = values(images * 13 * 11 * 3, 7);
    const f32 = createNativeCnn(description)!;
    expect(f32.precision).toBe('f32');
    const want = f32.run(x, images);
    // Calibration: [min, max] of the input, then of each node (the last is the output).
    const ranges = f32.calibrate(x, images);
    expect(ranges).toHaveLength(2 * (description.nodes.length + 1));
    expect([ranges[0], ranges[1]]).toEqual([Math.min(...x), Math.max(...x)]);
    expect([ranges.at(-2), ranges.at(-1)]).toEqual([Math.min(...want), Math.max(...want)]);
    const isa = loadNativeAddon().module!.cnnIsa!();
    const run = (options: Parameters<typeof createNativeCnn>[3]) => {
      const cnn = createNativeCnn(description, undefined, {}, options)!;
      return { precision: cnn.precision, error: relativeError(cnn.run(x, images), want) };
    };
    // Tolerances: bf16 keeps 8 bits of mantissa, int8 ~7-8 bits per tensor (measured 0.29% and
    // 0.71% of the output's range on this net; mixed 0.13% and 0.34%).
    const bf16 = run({ precision: 'bf16' });
    expect(bf16.precision).toBe(nativeCnnPrecision('bf16', isa));
    if (bf16.precision === 'bf16') {
      expect(bf16.error).toBeGreaterThan(0); // really rounded
      expect(bf16.error).toBeLessThan(0.01);
    } else {
      expect(bf16.error).toBeLessThan(1e-6);
    }
    const int8 = run({ precision: 'int8', ranges });
    expect(int8.precision).toBe(nativeCnnPrecision('int8', isa));
    expect(int8.error).toBeLessThan(int8.precision === 'int8' ? 0.03 : 1e-6);
    if (int8.precision === 'int8') expect(int8.error).toBeGreaterThan(0);
    // Mixed: the 1x1 convolutions in bf16 (or int8), the rest in f32, converted in between.
    const oneByOne = (node: (typeof description.nodes)[number]) =>
      node.op === 'conv' && !node.depthwise && node.shape[0] === 1;
    const mixed = run({ precisionOf: (node) => (oneByOne(node) ? 'bf16' : undefined) });
    expect(mixed.error).toBeLessThan(bf16.precision === 'bf16' ? 0.01 : 1e-6);
    const mixed8 = run({ ranges, precisionOf: (node) => (oneByOne(node) ? 'int8' : 'f32') });
    expect(mixed8.error).toBeLessThan(int8.precision === 'int8' ? 0.03 : 1e-6);
    // int8 needs the ranges; only an f32 trunk calibrates.
    if (int8.precision === 'int8') {
      expect(() => createNativeCnn(description, undefined, {}, { precision: 'int8' })).toThrow(
        /calibrated ranges/,
      );
    }
    if (bf16.precision === 'bf16') {
      const cnn = createNativeCnn(description, undefined, {}, { precision: 'bf16' })!;
      expect(() => cnn.calibrate(x, images)).toThrow(/needs an f32 net/);
    }
  });

  it.runIf(ONEDNN)('gates bf16 off on a CPU without AVX512_BF16 and still runs there', () => {
    // ONEDNN_MAX_CPU_ISA caps oneDNN's instruction set for the process: an AVX-512 CPU without
    // bf16 dot products, where the trunk must fall back to f32.
    const addon = fileURLToPath(new URL('../dist/native/ganmod_kernels.node', import.meta.url));
    const script = `
      const a = require(${JSON.stringify(addon)});
      const filter = new Float32Array(3 * 3 * 3 * 4).fill(0.1);
      const { handle } = a.cnnCreate([4, 4, 3, 1, 0, -1, -1, 0, 3, 3, 3, 4, 1, 1, 1, 1, 1, 1, 0, 0],
        [filter], 0);
      const out = new Float32Array(4 * 4 * 4);
      a.cnnRun(handle, new Float32Array(4 * 4 * 3).fill(1), 1, out);
      process.stdout.write(JSON.stringify({ isa: a.cnnIsa(), centre: out[5 * 4] }));`;
    const child = JSON.parse(
      execFileSync(process.execPath, ['-e', script], {
        env: { ...process.env, ONEDNN_MAX_CPU_ISA: 'AVX512_CORE' },
        encoding: 'utf8',
      }),
    ) as { isa: string; centre: number };
    expect(['avx512_core', 'avx2', 'avx', 'sse41']).toContain(child.isa);
    expect(nativeCnnPrecision('bf16', child.isa)).toBe('f32');
    expect(child.centre).toBeCloseTo(2.7, 5); // 27 taps of 1 x 0.1: the f32 trunk ran
  });
});
