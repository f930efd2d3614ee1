/**
 * The native depthwise convolution (src/kernels/native/depthwise.ts, native/depthwise.cc):
 * FusedDepthwiseConv2D on MobileNetV2's shapes against TF.js's cpu backend, the configurations it
 * leaves to the wasm kernel, its argument checks, and gradients (unchanged) on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNativeAddon, registerWasmKernels } from '../src/backend/index.js';
import { NATIVE, compareKernel, input, runOn, setUpWasm, values } from './kernel-harness.js';

const TOLERANCE = 1e-5; // relative to the output's scale (~1-3 here): under 1e-4 absolute

const attrs = (strides: number, pad: unknown, activation: string, dilations = 1) => ({
  strides,
  pad,
  dataFormat: 'NHWC',
  dilations,
  dimRoundingMode: undefined,
  activation,
  leakyreluAlpha: 0.2,
});

describe.runIf(NATIVE)('native FusedDepthwiseConv2D matches the cpu backend', () => {
  beforeAll(setUpWasm);

  // MobileNetV2's depthwise layers, scaled down: 3x3, 'same' or explicit (ZeroPadding2D folded)
  // padding, strides 1 and 2, channel multiplier 1, odd and even sizes; channel counts on and off
  // the 8-lane vector width.
  const cases = [
    { name: 'stride 1, even size, 32 channels', x: [2, 12, 12, 32], strides: 1, pad: 'same' },
    { name: 'stride 2, even size, 24 channels', x: [2, 12, 12, 24], strides: 2, pad: 'same' },
    { name: 'stride 1, odd size, 13 channels', x: [1, 7, 9, 13], strides: 1, pad: 'same' },
    { name: 'stride 2, odd size, 20 channels', x: [3, 7, 7, 20], strides: 2, pad: 'same' },
    { name: 'stride 2, valid, 16 channels', x: [1, 9, 8, 16], strides: 2, pad: 'valid' },
    {
      name: 'stride 2, explicit padding (ZeroPadding2D) 8 channels',
      x: [2, 10, 10, 8],
      strides: 2,
      pad: [
        [0, 0],
        [0, 1],
        [0, 1],
        [0, 0],
      ],
    },
    { name: '1x1 map, 40 channels', x: [2, 1, 1, 40], strides: 1, pad: 'same' },
  ];

  it.each(cases)('$name, bias and relu6', async (c) => {
    const channels = c.x[3]!;
    const result = await compareKernel(
      'FusedDepthwiseConv2D',
      { x: input(c.x, 1), filter: input([3, 3, channels, 1], 2), bias: input([channels], 3) },
      attrs(c.strides, c.pad, 'relu6'),
    );
    expect(result.shape).toEqual(result.expectedShape);
    expect(result.error).toBeLessThan(TOLERANCE);
  });

  it.each(['linear', 'relu', 'elu', 'leakyrelu', 'sigmoid'])(
    'no bias, %s activation, 5x3 dilated window',
    async (activation) => {
      const result = await compareKernel(
        'FusedDepthwiseConv2D',
        { x: input([2, 9, 8, 11], 4), filter: input([5, 3, 11, 1], 5) },
        attrs(1, 'same', activation, 2),
      );
      expect(result.shape).toEqual([2, 9, 8, 11]);
      expect(result.error).toBeLessThan(TOLERANCE);
    },
  );

  it('leaves a channel multiplier of 2 to the wasm kernel (same results)', async () => {
    const multiplier = await compareKernel(
      'FusedDepthwiseConv2D',
      { x: input([1, 6, 6, 4], 6), filter: input([3, 3, 4, 2], 7), bias: input([8], 8) },
      attrs(1, 'same', 'relu'),
    );
    expect(multiplier.shape).toEqual([1, 6, 6, 8]);
    expect(multiplier.error).toBeLessThan(TOLERANCE);
  });

  it('is what serves the op on wasm (the addon called directly gives the same bits)', async () => {
    const x = input([2, 7, 6, 19], 9);
    const filter = input([3, 3, 19, 1], 10);
    const bias = input([19], 11);
    const viaKernel = await runOn(
      'wasm',
      'FusedDepthwiseConv2D',
      { x, filter, bias },
      attrs(2, 'same', 'relu6'),
    );
    const direct = new Float32Array(2 * 4 * 3 * 19);
    // 'same', stride 2: 7 -> 4 rows (pad 1 top), 6 -> 3 columns (pad 0 left).
    loadNativeAddon().module!.depthwiseConv2d(
      x.data,
      filter.data,
      bias.data,
      direct,
      [2, 7, 6, 19, 3, 3, 4, 3, 2, 2, 1, 0, 1, 1],
      2,
      0,
    );
    expect(viaKernel.shape).toEqual([2, 4, 3, 19]);
    expect(viaKernel.data).toEqual(direct);
  });

  it('gives the bits of one thread when split over output rows on several threads', () => {
    const addon = loadNativeAddon().module!;
    const before = addon.getThreads();
    // 4 x 64 x 64 x 72 outputs: above the 1M floats from which the rows are split.
    const geometry = [4, 64, 64, 72, 3, 3, 64, 64, 1, 1, 1, 1, 1, 1];
    const x = values(4 * 64 * 64 * 72, 16);
    const filter = values(9 * 72, 17);
    const bias = values(72, 18);
    const run = (threads: number): Float32Array => {
      addon.setThreads(threads);
      const y = new Float32Array(x.length);
      addon.depthwiseConv2d(x, filter, bias, y, geometry, 2, 0);
      return y;
    };
    try {
      const one = run(1);
      const two = run(2);
      expect(two.findIndex((v, i) => !Object.is(v, one[i]))).toBe(-1);
      expect(one.some((v) => v > 0 && v < 6)).toBe(true);
    } finally {
      addon.setThreads(before);
    }
  });

  it('refuses mismatched sizes and a bad activation with clear errors', () => {
    const addon = loadNativeAddon().module!;
    const g = [1, 4, 4, 2, 3, 3, 4, 4, 1, 1, 1, 1, 1, 1];
    const x = new Float32Array(32);
    const f = new Float32Array(18);
    expect(() => addon.depthwiseConv2d(x, f, null, new Float32Array(31), g, 0, 0)).toThrow(
      /tensor sizes do not match the depthwise convolution geometry/,
    );
    expect(() =>
      addon.depthwiseConv2d(x, f, new Float32Array(3), new Float32Array(32), g, 0, 0),
    ).toThrow(/tensor sizes do not match/);
    expect(() => addon.depthwiseConv2d(x, f, null, new Float32Array(32), g, 9, 0)).toThrow(
      /activation must be 0..5/,
    );
    expect(() => addon.depthwiseConv2d(x, f, null, new Float32Array(32), [1, 2], 0, 0)).toThrow(
      /geometry must be an array of 14 integers/,
    );
  });

  it('changes no gradient: wasm has no depthwise backprop kernels, with or without the addon', async () => {
    // tf.fused.depthwiseConv2d differentiates through DepthwiseConv2dNativeBackprop{Input,Filter},
    // never through the forward kernel; the wasm backend has neither, so a gradient fails loudly
    // (the same error with the stock kernels), and nothing returns a wrong gradient silently.
    await tf.setBackend('wasm');
    const gradient = (): unknown =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(1 * 6 * 6 * 8, 12), [1, 6, 6, 8]);
        const filter = tf.tensor4d(values(3 * 3 * 8, 13), [3, 3, 8, 1]);
        const bias = tf.tensor1d(values(8, 14));
        return tf
          .grad((a: tf.Tensor) =>
            tf.sum(
              tf.fused.depthwiseConv2d({
                x: a as tf.Tensor4D,
                filter,
                bias,
                strides: 1,
                pad: 'same',
                activation: 'relu6',
              }),
            ),
          )(x)
          .dataSync();
      });
    const missing = /DepthwiseConv2dNativeBackpropInput' not registered for backend 'wasm'/;
    expect(gradient).toThrow(missing);
    registerWasmKernels({ native: false });
    try {
      expect(gradient).toThrow(missing);
    } finally {
      registerWasmKernels();
    }
  });
});
