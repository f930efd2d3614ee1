/**
 * End-to-end checks of the metrics on real data: the MNIST metric classifier trains to a usable
 * accuracy and caches, and FID/KID/IS/precision/recall/memorization rank real, shifted and broken
 * image sets the way they should. Runs on the wasm backend (~1 min on one thread).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import {
  compareEmbeddings,
  computeReference,
  evaluateGenerator,
  loadOrTrainFeatureExtractor,
  memorizationAudit,
  type FeatureExtractor,
  type MetricDataset,
  type ReferenceFeatures,
} from '../src/metrics/index.js';
import { seededRandom } from '../src/metrics/stats/rng.js';
import { fashionMnist, hasFashionMnist, mnist, slice } from './metrics-data.js';

const LEN = 28 * 28;
const FAST = { kid: { subsets: 20 } } as const;

let dir: string;
let extractor: FeatureExtractor;
let train: MetricDataset;
let test: MetricDataset;
// Random halves of the test split (its first and second 5000 come from different writers).
let halfA: MetricDataset;
let halfB: MetricDataset;

function shuffled(d: MetricDataset, seed: number): MetricDataset {
  const random = seededRandom(seed);
  const order = Array.from({ length: d.size }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const data = new Float32Array(d.data.length);
  const labels = new Int32Array(d.size);
  order.forEach((src, dst) => {
    data.set(d.data.subarray(src * LEN, (src + 1) * LEN), dst * LEN);
    labels[dst] = d.labels[src] as number;
  });
  return { name: d.name, shape: d.shape, classNames: d.classNames, size: d.size, data, labels };
}

function images(d: MetricDataset, indices: readonly number[], noise = 0, seed = 1): tf.Tensor4D {
  const random = seededRandom(seed);
  const data = new Float32Array(indices.length * LEN);
  indices.forEach((i, k) => {
    for (let p = 0; p < LEN; p++) {
      const v = (d.data[i * LEN + p] as number) + noise * (2 * random() - 1);
      data[k * LEN + p] = Math.min(1, Math.max(-1, v));
    }
  });
  return tf.tensor4d(data, [indices.length, 28, 28, 1]);
}

beforeAll(async () => {
  await initBackend({ logger: null });
  [train, test] = await Promise.all([mnist('train'), mnist('test')]);
  const shuffledTest = shuffled(test, 7);
  halfA = slice(shuffledTest, 0, 5000, 'mnist-test-a');
  halfB = slice(shuffledTest, 5000, 10000, 'mnist-test-b');
  dir = await mkdtemp(join(tmpdir(), 'ganmod-metrics-'));
  extractor = await loadOrTrainFeatureExtractor({
    train,
    test,
    dir: join(dir, 'mnist'),
    maxTrainSamples: 8000,
    epochs: 2,
    batchSize: 64,
  });
}, 300_000);

afterAll(async () => {
  extractor?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('MNIST metric classifier', () => {
  it('trains to > 95% test accuracy', () => {
    expect(extractor.origin).toBe('trained');
    expect(extractor.info.testSamples).toBe(10_000);
    expect(extractor.info.testAccuracy).toBeGreaterThan(0.95);
    expect(extractor.info.key).toBe('mnist-28x28x1');
  });

  it('reloads from its cache with identical outputs', async () => {
    const again = await loadOrTrainFeatureExtractor({ train, test, dir: join(dir, 'mnist') });
    try {
      expect(again.origin).toBe('cache');
      expect(again.info).toEqual(extractor.info);
      const batch = images(test, [0, 1, 2, 3]);
      const [a, b] = [await extractor.embed(batch), await again.embed(batch)];
      batch.dispose();
      let diff = 0;
      a.features.data.forEach(
        (v, i) => (diff = Math.max(diff, Math.abs(v - (b.features.data[i] as number)))),
      );
      expect(diff).toBeLessThan(1e-4);
    } finally {
      again.dispose();
    }
  });
});

describe('quality metrics on MNIST features', () => {
  let a: ReferenceFeatures;
  beforeAll(async () => {
    a = await computeReference(extractor, halfA, 2000);
  }, 120_000);

  it('rank test-vs-test far above test-vs-noise and test-vs-Fashion-MNIST', async () => {
    const b = await extractor.embedDataset(halfB, 2000);
    const random = seededRandom(3);
    const noise = await extractor.embedArray(
      Float32Array.from({ length: 2000 * LEN }, () => 2 * random() - 1),
      2000,
    );
    const same = await compareEmbeddings(a, b, FAST);
    const broken = await compareEmbeddings(a, noise, FAST);
    expect(same.fid).toBeLessThan(broken.fid / 20);
    expect(same.kid.mean).toBeLessThan(broken.kid.mean / 20);
    expect(same.precision).toBeGreaterThan(0.8);
    expect(same.recall).toBeGreaterThan(0.8);
    expect(broken.recall).toBeLessThan(0.05);
    expect(broken.coverage).toBeLessThan(0.05);
    expect(same.is.mean).toBeGreaterThan(8.5); // 10 classes, confidently and evenly predicted
    if (hasFashionMnist) {
      const fashion = await extractor.embedDataset(await fashionMnist('test', 2000));
      const other = await compareEmbeddings(a, fashion, FAST);
      expect(same.fid).toBeLessThan(other.fid / 10);
      // Precision alone is fooled by outlying real digits (large balls); coverage and recall are not.
      expect(other.coverage).toBeLessThan(0.1);
      expect(other.recall).toBeLessThan(0.05);
    }
  }, 120_000);

  it('evaluateGenerator: a conditional "generator" replaying held-out digits scores like real data', async () => {
    const byClass = Array.from({ length: 10 }, () => [] as number[]);
    for (let i = 0; i < halfB.size; i++) byClass[halfB.labels[i] as number]?.push(i);
    const cursor = new Array<number>(10).fill(0);
    const faithful = await evaluateGenerator({
      generate: (n, labels) => {
        expect(labels).toHaveLength(n);
        const picks = Array.from(
          labels ?? [],
          (c) => byClass[c]![cursor[c]!++ % byClass[c]!.length]!,
        );
        return images(halfB, picks);
      },
      conditional: true,
      dataset: halfA,
      extractor,
      reference: a,
      n: 2000,
      ...FAST,
    });
    expect(faithful.conditionalAccuracy).toBeGreaterThan(0.95);
    expect(faithful.precision).toBeGreaterThan(0.8);
    expect(faithful.recall).toBeGreaterThan(0.8);

    // Mode collapse: whatever the label, the same few zeros come out.
    const collapsed = await evaluateGenerator({
      generate: (n) =>
        images(
          halfB,
          Array.from({ length: n }, (_, i) => byClass[0]![i % 5]!),
        ),
      conditional: true,
      dataset: halfA,
      extractor,
      reference: a,
      n: 2000,
      ...FAST,
    });
    expect(collapsed.conditionalAccuracy).toBeLessThan(0.15);
    expect(collapsed.is.mean).toBeLessThan(1.5);
    expect(collapsed.recall).toBeLessThan(0.1);
    expect(collapsed.fid).toBeGreaterThan(10 * faithful.fid);
    expect(collapsed.n).toBe(2000);
    expect(tf.memory().numTensors).toBeLessThan(100); // batches were disposed
  }, 180_000);
});

describe('memorization audit on MNIST', () => {
  let training: MetricDataset;
  beforeAll(() => {
    training = slice(train, 0, 10_000, 'mnist-train-10k');
  });
  const copied = [3, 17, 256, 999, 4321, 5000, 7777, 9998];
  const fresh = Array.from({ length: 40 }, (_, i) => i * 97);

  it('flags exact and lightly noised training copies in pixel space, not fresh test digits', async () => {
    const samples = tf.concat([
      images(training, copied),
      images(training, copied, 0.05, 2),
      images(test, fresh),
    ]);
    const report = await memorizationAudit({ samples, training });
    samples.dispose();
    expect(report.thresholdSource).toBe('default');
    expect(report.flagged).toEqual(Array.from({ length: 2 * copied.length }, (_, i) => i));
    expect(Array.from(report.nearestIndex.subarray(0, copied.length))).toEqual(copied);
    expect(Array.from(report.nearestIndex.subarray(copied.length, 2 * copied.length))).toEqual(
      copied,
    );
    expect(report.distance[0]).toBeLessThan(1e-3);
    expect(report.ratio[0]).toBeLessThan(0.01);
  }, 60_000);

  it('flags copies in feature space with a threshold calibrated on held-out images', async () => {
    const samples = tf.concat([images(training, copied), images(test, fresh)]);
    const report = await memorizationAudit({
      samples,
      training,
      space: 'feature',
      extractor,
      calibration: slice(test, 5000, 10_000),
      calibrationSamples: 500,
    });
    samples.dispose();
    expect(report.thresholdSource).toBe('calibrated');
    expect(report.threshold).toBeGreaterThan(0);
    expect(report.flagged.slice(0, copied.length)).toEqual(Array.from(copied.keys()));
    // At most a couple of fresh digits may sit that close to a training digit.
    expect(report.flagged.length).toBeLessThanOrEqual(copied.length + 2);
  }, 120_000);
});
