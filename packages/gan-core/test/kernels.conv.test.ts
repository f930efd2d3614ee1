import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareKernel, input, setUpWasm } from './kernel-harness.js';

type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

const CASES: ConvCase[] = [
  { name: 'k3 s1 same', x: [3, 9, 7, 2], filter: [3, 3, 2, 5], strides: 1, pad: 'same' },
  { name: 'k3 s1 valid', x: [2, 9, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  {
    name: 'k5x4 s2 same, odd sizes',
    x: [2, 11, 9, 3],
    filter: [5, 4, 3, 4],
    strides: 2,
    pad: 'same',
  },
  {
    name: 'k3 s2 valid, remainder',
    x: [3, 10, 8, 2],
    filter: [3, 3, 2, 3],
    strides: 2,
    pad: 'valid',
  },
  { name: 'k2 s2 valid, exact', x: [2, 8, 6, 3], filter: [2, 2, 3, 2], strides: 2, pad: 'valid' },
  {
    name: 'k4x2 s(2,3) same',
    x: [2, 13, 11, 2],
    filter: [4, 2, 2, 3],
    strides: [2, 3],
    pad: 'same',
  },
  { name: 'k3 s2 numeric pad 1', x: [2, 9, 10, 2], filter: [3, 3, 2, 3], strides: 2, pad: 1 },
  {
    name: 'k3x5 s2 explicit pad',
    x: [2, 10, 9, 3],
    filter: [3, 5, 3, 2],
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  {
    name: 'k3x5 s2 explicit pad, 16 channels',
    x: [2, 9, 8, 16],
    filter: [3, 5, 16, 3],
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  {
    name: 'k4 s(2,3) same, 16 channels',
    x: [1, 10, 11, 16],
    filter: [4, 4, 16, 2],
    strides: [2, 3],
    pad: 'same',
  },
  {
    name: 'k2 s3 valid, 16 channels (phases without taps)',
    x: [1, 9, 9, 16],
    filter: [2, 2, 16, 2],
    strides: 3,
    pad: 'valid',
  },
  { name: 'k1 s3 valid', x: [2, 7, 8, 4], filter: [1, 1, 4, 3], strides: 3, pad: 'valid' },
  {
    name: 'batch 1, 1 channel, k5 s2',
    x: [1, 15, 15, 1],
    filter: [5, 5, 1, 6],
    strides: 2,
    pad: 'same',
  },
  {
    name: 'DCGAN D layer 1 (batch 8)',
    x: [8, 28, 28, 1],
    filter: [5, 5, 1, 64],
    strides: 2,
    pad: 'same',
  },
  {
    name: 'DCGAN G layer 2 (batch 1, half the filters)',
    x: [1, 14, 14, 64],
    filter: [5, 5, 64, 64],
    strides: 2,
    pad: 'same',
  },
];

/** Output shape of the forward conv, i.e. the shape of dy. */
function dyShape(c: ConvCase): number[] {
  return tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad).outShape;
}

const TOLERANCE = 1e-5;

describe('wasm Conv2DBackpropFilter matches the cpu backend', () => {
  beforeAll(setUpWasm);

  it.each(CASES)(
    '$name',
    async (c) => {
      const result = await compareKernel(
        'Conv2DBackpropFilter',
        { x: input(c.x, 1), dy: input(dyShape(c), 2) },
        { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter },
      );
      expect(result.shape).toEqual(c.filter);
      expect(result.expectedShape).toEqual(c.filter);
      expect(result.error).toBeLessThan(TOLERANCE);
    },
    60_000,
  ); // the cpu reference kernels are slow, more so on a busy machine
});

describe('wasm Conv2DBackpropInput matches the cpu backend', () => {
  beforeAll(setUpWasm);

  it.each(CASES)(
    '$name',
    async (c) => {
      const result = await compareKernel(
        'Conv2DBackpropInput',
        { dy: input(dyShape(c), 3), filter: input(c.filter, 4) },
        { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x },
      );
      expect(result.shape).toEqual(c.x);
      expect(result.error).toBeLessThan(TOLERANCE);
    },
    60_000,
  );
});

describe('conv gradients through the public ops', () => {
  beforeAll(setUpWasm);

  /** d(sum(conv2dTranspose(x, w) * r))/d(x, w) on one backend. */
  async function gradients(backend: 'cpu' | 'wasm'): Promise<Float32Array[]> {
    await tf.setBackend(backend);
    return tf.tidy(() => {
      const x = tf.tensor4d(input([3, 7, 7, 6], 5).data, [3, 7, 7, 6]);
      const w = tf.tensor4d(input([5, 5, 4, 6], 6).data, [5, 5, 4, 6]);
      const r = tf.tensor4d(input([3, 14, 14, 4], 7).data, [3, 14, 14, 4]);
      const f = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Scalar =>
        tf.sum(tf.mul(tf.conv2dTranspose(a, b, [3, 14, 14, 4], 2, 'same'), r));
      const [gx, gw] = tf.grads(f as (...args: tf.Tensor[]) => tf.Tensor)([x, w]);
      return [gx!.dataSync() as Float32Array, gw!.dataSync() as Float32Array];
    });
  }

  it('conv2dTranspose s2 grads w.r.t. input and filter agree', async () => {
    const expected = await gradients('cpu');
    const actual = await gradients('wasm');
    const { relativeError } = await import('./kernel-harness.js');
    for (let i = 0; i < expected.length; i++) {
      expect(relativeError(actual[i]!, expected[i]!)).toBeLessThan(TOLERANCE);
    }
  }, 60_000);
});
