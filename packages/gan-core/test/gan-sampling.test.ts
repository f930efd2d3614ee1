import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { buildGenerator } from '../src/models/index.js';
import { generatorSignature, gridPng, interpolate, sample } from '../src/sampling/index.js';
import { setupBackend } from './gan-helpers.js';

beforeAll(setupBackend);

describe('sample', () => {
  it('is deterministic per seed and reads the signature from the model', () => {
    const g = buildGenerator('mlp', { shape: [28, 28, 1], latentDim: 12 });
    expect(generatorSignature(g)).toEqual({ latentDim: 12, numClasses: 0 });
    const [a, b, c] = [1, 1, 2].map((seed) => sample(g, { n: 3, seed }));
    expect(a?.shape).toEqual([3, 28, 28, 1]);
    expect(Array.from(a?.dataSync() ?? [])).toEqual(Array.from(b?.dataSync() ?? []));
    expect(Array.from(a?.dataSync() ?? [])).not.toEqual(Array.from(c?.dataSync() ?? []));
    tf.dispose([a, b, c] as tf.Tensor[]);
    g.dispose();
  });

  it('conditional generators need a valid label; the label changes the image', () => {
    const g = buildGenerator('cdcgan', { shape: [28, 28, 1], latentDim: 8, numClasses: 10 });
    expect(() => sample(g, { n: 2, seed: 1 })).toThrow(/class-conditional: pass a label/);
    expect(() => sample(g, { n: 2, seed: 1, label: 10 })).toThrow(
      /label 10 is out of range: this generator has classes 0\.\.9/,
    );
    expect(() => sample(g, { n: 2, seed: 1, label: [1] })).toThrow(/got 1 labels for 2 images/);
    const three = sample(g, { n: 2, seed: 1, label: 3 });
    const seven = sample(g, { n: 2, seed: 1, label: 7 });
    expect(Array.from(three.dataSync())).not.toEqual(Array.from(seven.dataSync()));
    tf.dispose([three, seven]);
    g.dispose();
  });
});

describe('interpolate (slerp)', () => {
  it('starts at a, ends at b, and keeps the norm of equal-norm endpoints', () => {
    const a = tf.tensor1d([3, 0, 0, 0]);
    const b = tf.tensor1d([0, 3, 0, 0]);
    const path = interpolate(a, b, 5);
    const rows = path.arraySync();
    expect(rows[0]).toEqual([3, 0, 0, 0]);
    expect(rows[4]?.map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 3, 0, 0]);
    for (const row of rows) expect(Math.hypot(...row)).toBeCloseTo(3, 5);
    // Halfway along a 90 degree arc: both coordinates 3/sqrt(2) (a straight line would give 1.5).
    expect(rows[2]?.[0]).toBeCloseTo(3 / Math.SQRT2, 5);
    expect(() => interpolate(a, b, 1)).toThrow(/steps must be an integer >= 2/);
    tf.dispose([a, b, path]);
  });
});

describe('gridPng', () => {
  it('maps [-1, 1] to [0, 255] and tiles row-major', () => {
    const images = tf.tensor4d([-1, 1, 0, 0.5], [4, 1, 1, 1]);
    const png = PNG.sync.read(Buffer.from(gridPng(images, 2)));
    expect([png.width, png.height]).toEqual([2 * 3 + 2, 2 * 3 + 2]);
    const pixel = (x: number, y: number) => png.data[(y * png.width + x) * 4];
    expect([pixel(2, 2), pixel(5, 2), pixel(2, 5), pixel(5, 5)]).toEqual([0, 255, 128, 191]);
    expect(() => gridPng(images, 0)).toThrow(/cols must be a positive integer/);
    images.dispose();
  });
});
