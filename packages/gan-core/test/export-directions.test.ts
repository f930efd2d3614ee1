import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  CLASS_SHIFT_NAMING_TV,
  directionsFile,
  imageStats,
  latentDirections,
  writeLatentDirections,
} from '../src/export/directions.js';
import {
  cachedMetricClassifier,
  trainFeatureExtractor,
  type FeatureExtractor,
} from '../src/metrics/index.js';
import { buildGan } from '../src/models/index.js';
import { setupBackend, tempDir } from './gan-helpers.js';
import { mnist } from './metrics-data.js';

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await setupBackend();
  ({ dir: root, cleanup } = await tempDir('directions'));
});
afterAll(() => cleanup());

/**
 * A generator whose answer is known: z (3-D) -> dense 784 -> tanh. z0 brightens every pixel
 * (largest weights: the top principal direction), z1 lights the right half and darkens the left
 * (moves the centre), z2 barely matters.
 */
function knownGenerator(): tf.LayersModel {
  const z = tf.input({ shape: [3], name: 'z' });
  const dense = tf.layers.dense({ units: 784, activation: 'tanh', name: 'first' });
  const image = tf.layers
    .reshape({ targetShape: [28, 28, 1] })
    .apply(dense.apply(z)) as tf.SymbolicTensor;
  const model = tf.model({ inputs: z, outputs: image, name: 'known_generator' });
  const kernel = new Float32Array(3 * 784);
  for (let p = 0; p < 784; p++) {
    kernel[p] = 0.6;
    kernel[784 + p] = (p % 28 < 14 ? -1 : 1) * 0.3;
    kernel[2 * 784 + p] = 0.01;
  }
  dense.setWeights([tf.tensor2d(kernel, [3, 784]), tf.fill([784], -0.5)]);
  return model;
}

describe('image statistics', () => {
  it('measure brightness, centre and slant of drawn images', () => {
    const pixels = new Float32Array(2 * 28 * 28).fill(-1);
    // Image 0: a vertical bar at x = 20; image 1: a diagonal leaning right (x grows as y falls).
    for (let y = 4; y < 24; y++) {
      pixels[y * 28 + 20] = 1;
      pixels[784 + y * 28 + (27 - y)] = 1;
    }
    const stats = imageStats(tf.tensor4d(pixels, [2, 28, 28, 1]));
    expect(stats.centreX[0]).toBeCloseTo(20, 6);
    expect(stats.ink[0]).toBeCloseTo(20 / 784, 6);
    expect(stats.slant[0]).toBeCloseTo(0, 6);
    expect(stats.slant[1]).toBeCloseTo(1, 6);
  });
});

describe('GANSpace directions', () => {
  it('finds the known directions in order and names them by what they change', () => {
    const g = knownGenerator();
    const found = latentDirections(g, { count: 3, probes: 32 });
    expect(found.layer).toBe('first');
    const [first, second, third] = found.directions;
    expect(Math.abs(first?.vector[0] ?? 0)).toBeCloseTo(1, 3);
    expect(Math.abs(second?.vector[1] ?? 0)).toBeCloseTo(1, 3);
    expect(first?.name).toMatch(/^ink(Area)? [+-]$/);
    expect(second?.name).toMatch(/^centreX [+-]$/);
    expect(first?.variance).toBeGreaterThan(second?.variance ?? 1);
    expect(second?.variance).toBeGreaterThan(third?.variance ?? 1);
    // The name follows the sign of the vector: brightening along +v is "ink +".
    const brightens = (first?.vector[0] ?? 0) > 0;
    expect(first?.name.endsWith(brightens ? '+' : '-')).toBe(true);
    g.dispose();
  });

  it('gives orthonormal directions for a project generator and writes them beside an export', async () => {
    const { generator, discriminator } = buildGan('cdcgan', {
      shape: [28, 28, 1],
      latentDim: 12,
      numClasses: 10,
      seeds: { nextSeed: () => 3 },
    });
    const written = await writeLatentDirections(generator, root, { count: 4, probes: 16 });
    const stored = JSON.parse(await readFile(join(root, directionsFile), 'utf8')) as typeof written;
    expect(stored).toEqual(written);
    const vectors = stored?.directions.map((d) => d.vector) ?? [];
    expect(vectors).toHaveLength(4);
    for (let a = 0; a < 4; a++)
      for (let b = 0; b < 4; b++) {
        const dot = (vectors[a] ?? []).reduce((s, v, i) => s + v * (vectors[b]?.[i] ?? 0), 0);
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 6);
      }
    generator.dispose();
    discriminator.dispose();
  }, 60_000);
});

/**
 * A generator built from two real MNIST test digits, a 1 and a 7: tanh(c + z0·d + z1·e + z2·f) with
 * c the mean of the two digits' pre-images (atanh), d = half their difference (less its mean), so
 * z0 <= -1 draws the 1 and z0 >= 1 the 7 (an identity direction; only probes with |z0| small are
 * ambiguous blends), e a uniform 0.15 (a faint veil over the whole image at
 * +3, a darker one at -3: brightness, not identity) and f negligible.
 */
function oneSevenGenerator(one: Float32Array, seven: Float32Array): tf.LayersModel {
  const z = tf.input({ shape: [3], name: 'z' });
  const dense = tf.layers.dense({ units: 784, activation: 'tanh', name: 'first' });
  const image = tf.layers
    .reshape({ targetShape: [28, 28, 1] })
    .apply(dense.apply(z)) as tf.SymbolicTensor;
  const model = tf.model({ inputs: z, outputs: image, name: 'one_seven_generator' });
  const pre = (v: number) => Math.atanh(Math.min(0.96, Math.max(-0.96, v)));
  const kernel = new Float32Array(3 * 784);
  const bias = new Float32Array(784);
  for (let p = 0; p < 784; p++) {
    const [a, b] = [pre(one[p] as number), pre(seven[p] as number)];
    bias[p] = (a + b) / 2;
    kernel[p] = (b - a) / 2;
    kernel[784 + p] = 0.15;
    kernel[2 * 784 + p] = 0.001;
  }
  // d without its mean (a uniform part, i.e. some veil), so that it is orthogonal to the veil
  // and z0, z1 are exactly the principal directions.
  const d = kernel.subarray(0, 784);
  const mean = d.reduce((sum, v) => sum + v, 0) / 784;
  d.forEach((v, p) => (d[p] = v - mean));
  dense.setWeights([tf.tensor2d(kernel, [3, 784]), tf.tensor1d(bias)]);
  return model;
}

describe('class-probability shift with the real MNIST metric classifier', () => {
  let classifier: FeatureExtractor;
  let one: Float32Array;
  let seven: Float32Array;
  beforeAll(async () => {
    const [train, test] = await Promise.all([mnist('train'), mnist('test', 1000)]);
    classifier = await trainFeatureExtractor(train, test, {
      maxTrainSamples: 6000,
      epochs: 2,
      batchSize: 64,
    });
    const first = (label: number) => {
      const i = Array.from(test.labels).indexOf(label);
      return test.data.slice(i * 784, (i + 1) * 784);
    };
    [one, seven] = [first(1), first(7)];
  }, 300_000);
  afterAll(() => classifier?.dispose());

  it('names the direction that turns a 1 into a 7 by the class change, and not the veil', () => {
    expect(classifier.info.testAccuracy).toBeGreaterThan(0.9);
    const g = oneSevenGenerator(one, seven);
    const found = latentDirections(g, { count: 2, probes: 64, classifier });
    g.dispose();
    expect(found.classifier?.key).toBe(classifier.info.key);
    expect(found.classifier?.classNames).toEqual([...classifier.info.classNames]);
    const [identity, veil] = found.directions;
    expect(Math.abs(identity?.vector[0] ?? 0)).toBeCloseTo(1, 3);
    const shift = identity?.classShift;
    expect(shift).toBeDefined();
    // Along +v the digit becomes a 7 when v points along +z0, a 1 otherwise.
    const [from, to] = (identity?.vector[0] ?? 0) > 0 ? ['1', '7'] : ['7', '1'];
    expect(shift?.rises.class).toBe(to);
    expect(shift?.falls.class).toBe(from);
    expect(shift?.rises.by).toBeGreaterThan(0.3);
    expect(shift?.falls.by).toBeLessThan(-0.3);
    expect(shift?.tv).toBeGreaterThan(0.6);
    expect(shift?.flipped).toBeGreaterThan(0.6);
    expect(shift?.labelProbability).toBeUndefined();
    expect(identity?.name).toBe(`class ${from}→${to}`);
    // The veil changes brightness, not the digit.
    expect(veil?.classShift?.tv).toBeLessThan(CLASS_SHIFT_NAMING_TV / 2);
    expect(veil?.name).not.toMatch(/^class/);
    // ...and brightens the image along +v when v points along +z1.
    const brightens = (veil?.vector[1] ?? 0) > 0 ? 1 : -1;
    expect((veil?.effects.ink ?? 0) * brightens).toBeGreaterThan(0.5);
  });

  it('finds the cached classifier for exports only when it fits the dataset', async () => {
    const dir = join(root, 'metric-classifier');
    const mnistMeta = { name: 'mnist', shape: [28, 28, 1], classNames: classifier.info.classNames };
    expect(await cachedMetricClassifier(mnistMeta, dir)).toBeUndefined();
    await classifier.save(dir);
    const cached = await cachedMetricClassifier(mnistMeta, dir);
    expect(cached?.info).toEqual(classifier.info);
    cached?.dispose();
    const twoClasses = { ...mnistMeta, classNames: ['1', '7'] };
    expect(await cachedMetricClassifier(twoClasses, dir)).toBeUndefined();
    expect(await cachedMetricClassifier({ ...mnistMeta, shape: [2] }, dir)).toBeUndefined();
  });

  it('measures conditional generators with every probe label held fixed', async () => {
    const { generator, discriminator } = buildGan('cdcgan', {
      shape: [28, 28, 1],
      latentDim: 12,
      numClasses: 10,
      seeds: { nextSeed: () => 5 },
    });
    const written = await writeLatentDirections(generator, root, {
      count: 3,
      probes: 16,
      classifier,
    });
    generator.dispose();
    discriminator.dispose();
    const stored = JSON.parse(await readFile(join(root, directionsFile), 'utf8')) as typeof written;
    expect(stored).toEqual(written);
    expect(stored?.classifier?.classNames).toHaveLength(10);
    for (const d of stored?.directions ?? []) {
      const shift = d.classShift;
      expect(shift?.tv).toBeGreaterThanOrEqual(0);
      expect(shift?.tv).toBeLessThanOrEqual(1);
      expect(shift?.flipped).toBeGreaterThanOrEqual(0);
      expect(shift?.flipped).toBeLessThanOrEqual(1);
      expect(shift?.rises.by).toBeGreaterThanOrEqual(0);
      expect(shift?.falls.by).toBeLessThanOrEqual(0);
      expect(shift?.labelProbability).toHaveLength(2);
      for (const p of shift?.labelProbability ?? []) {
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
      }
    }
  }, 60_000);
});
