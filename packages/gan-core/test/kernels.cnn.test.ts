/**
 * The addon's oneDNN CNN trunk (src/kernels/native/cnn.ts, native/cnn.cc): a small MobileNetV2-like
 * net (strided 3x3 with explicit padding, an inverted residual block with a depthwise layer and a
 * residual sum, ReLU and ReLU6, odd sizes) against the same ops on TF.js's cpu backend, and its
 * checks of inconsistent descriptions. Where oneDNN's headers are installed the addon must have it.
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNativeCnn, loadNativeAddon, type CnnDescription } from '../src/backend/index.js';
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
});
