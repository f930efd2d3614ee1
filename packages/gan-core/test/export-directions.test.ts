import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  directionsFile,
  imageStats,
  latentDirections,
  writeLatentDirections,
} from '../src/export/directions.js';
import { buildGan } from '../src/models/index.js';
import { setupBackend, tempDir } from './gan-helpers.js';

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
