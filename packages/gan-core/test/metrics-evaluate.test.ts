import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildClassifier,
  computeReference,
  evaluateGenerator,
  evaluationRecord,
  EXTRACTOR_FORMAT_VERSION,
  FeatureExtractor,
  layersGenerator,
  type ExtractorInfo,
  type MetricDataset,
} from '../src/metrics/index.js';

// Tiny 8x8 images, 3 classes, an untrained MLP classifier: exercises the plumbing fast on cpu.
const SHAPE = [8, 8, 1] as const;
const info: ExtractorInfo = {
  formatVersion: EXTRACTOR_FORMAT_VERSION,
  key: 'toy-8x8x1',
  datasetName: 'toy',
  shape: [...SHAPE],
  classNames: ['a', 'b', 'c'],
  architecture: 'mlp',
  featureDim: 16,
  testAccuracy: 0.5,
  testSamples: 0,
  trainSamples: 1,
  epochs: 1,
  backend: 'cpu',
  trainingSeconds: 0,
  createdAt: new Date(0).toISOString(),
};

function toyDataset(n: number): MetricDataset {
  const data = Float32Array.from({ length: n * 64 }, (_, i) => Math.sin(i * 0.37) * 0.9);
  return {
    name: 'toy',
    shape: [...SHAPE],
    classNames: info.classNames,
    size: n,
    data,
    labels: new Int32Array(n),
  };
}

function toyGenerator(conditional: boolean): tf.LayersModel {
  const z = tf.input({ shape: [4] });
  const label = tf.input({ shape: [3] });
  const joined = conditional ? tf.layers.concatenate().apply([z, label]) : z;
  const dense = tf.layers.dense({
    units: 64,
    activation: 'tanh',
    kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
  });
  const out = tf.layers
    .reshape({ targetShape: [...SHAPE] })
    .apply(dense.apply(joined)) as tf.SymbolicTensor;
  return tf.model({ inputs: conditional ? [z, label] : [z], outputs: out });
}

let extractor: FeatureExtractor;
let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  extractor = new FeatureExtractor(
    buildClassifier({ shape: SHAPE, numClasses: 3, architecture: 'mlp', featureDim: 16, seed: 2 }),
    info,
  );
  dir = await mkdtemp(join(tmpdir(), 'ganmod-metrics-eval-'));
});
afterAll(async () => {
  extractor.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('evaluateGenerator', () => {
  it('samples in batches, disposes every tensor and reports all metrics', async () => {
    const generator = toyGenerator(true);
    const reference = await computeReference(extractor, toyDataset(300), 120);
    const before = tf.memory().numTensors;
    const seen: number[][] = [];
    const source = layersGenerator(generator, 5);
    const result = await evaluateGenerator({
      generate: (n, labels) => {
        seen.push(Array.from(labels ?? []));
        return source.generate(n, labels);
      },
      conditional: source.conditional,
      dataset: toyDataset(300),
      extractor,
      reference,
      n: 120,
      batchSize: 50,
      kid: { subsets: 5, subsetSize: 50 },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen.map((l) => l.length)).toEqual([50, 50, 20]);
    // Balanced labels: each class requested 40 times.
    const counts = [0, 0, 0];
    seen.flat().forEach((c) => counts[c]!++);
    expect(counts).toEqual([40, 40, 40]);
    const record = evaluationRecord(result);
    expect(Object.keys(record).sort()).toEqual(
      [
        'conditional_accuracy',
        'coverage',
        'density',
        'fid',
        'is',
        'is_std',
        'kid',
        'kid_std',
        'precision',
        'recall',
      ].sort(),
    );
    for (const v of Object.values(record)) expect(Number.isFinite(v)).toBe(true);
    expect(result.n).toBe(120);
    expect(result.referenceSize).toBe(120);
    generator.dispose();
  });

  it('rejects a generator that returns the wrong count, and a reference of another extractor', async () => {
    const reference = await computeReference(extractor, toyDataset(50));
    const base = { dataset: toyDataset(50), extractor, n: 20, kid: { subsets: 2 } };
    const before = tf.memory().numTensors;
    await expect(
      evaluateGenerator({ ...base, reference, generate: () => tf.zeros([3, 8, 8, 1]) }),
    ).rejects.toThrow(/returned 3 images/);
    expect(tf.memory().numTensors).toBe(before);
    await expect(
      evaluateGenerator({
        ...base,
        reference: { ...reference, extractorKey: 'other' },
        generate: (n) => tf.zeros([n, 8, 8, 1]),
      }),
    ).rejects.toThrow(/extractor/);
  });

  it('unconditional generators get no labels and no conditional accuracy', async () => {
    const source = layersGenerator(toyGenerator(false));
    expect(source.conditional).toBe(false);
    const result = await evaluateGenerator({
      ...source,
      dataset: toyDataset(60),
      extractor,
      n: 60,
      kid: { subsets: 2 },
    });
    expect(result.conditionalAccuracy).toBeUndefined();
  });
});

describe('buildClassifier', () => {
  it.each([
    [[28, 28, 1], 2, 'cnn'],
    [[32, 32, 3], 2, 'cnn'],
    [[64, 64, 3], 3, 'cnn'],
    [[28, 28, 1], 0, 'mlp'],
  ] as const)('lays out %j with %i stride-2 convolutions (%s)', (shape, convs, architecture) => {
    const model = buildClassifier({ shape, numClasses: 7, architecture });
    try {
      const layers = model.layers.map((l) => l.getClassName());
      expect(layers.filter((c) => c === 'Conv2D')).toHaveLength(convs);
      expect(model.getLayer('features').outputShape).toEqual([null, 128]);
      expect(model.outputs[0]?.shape).toEqual([null, 7]);
      const sums = tf.tidy(() =>
        (model.predict(tf.zeros<tf.Rank.R4>([2, ...shape])) as tf.Tensor).sum(1).dataSync(),
      );
      expect(Array.from(sums, (v) => Math.round(v * 1e5) / 1e5)).toEqual([1, 1]);
    } finally {
      model.dispose();
    }
  });
});

describe('FeatureExtractor save / load', () => {
  it('round-trips model and metadata in the TF.js Layers format', async () => {
    const target = join(dir, 'toy');
    await extractor.save(target);
    expect((await readdir(target)).sort()).toEqual(['extractor.json', 'model.json', 'weights.bin']);
    const loaded = await FeatureExtractor.load(target);
    expect(loaded?.origin).toBe('cache');
    expect(loaded?.info).toEqual(info);
    const x = tf.randomUniform<tf.Rank.R4>([5, 8, 8, 1], -1, 1, 'float32', 9);
    const [a, b] = [await extractor.embed(x), await loaded!.embed(x)];
    expect(Array.from(b.probabilities.data)).toEqual(Array.from(a.probabilities.data));
    x.dispose();
    loaded!.dispose();
    expect(await FeatureExtractor.load(join(dir, 'missing'))).toBeUndefined();
  });

  it('rejects images of another shape', async () => {
    const x = tf.zeros<tf.Rank.R4>([2, 28, 28, 1]);
    await expect(extractor.embed(x)).rejects.toThrow(/takes images of shape \[8, 8, 1\]/);
    x.dispose();
  });
});
