import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  CheckpointError,
  generatorFromCheckpoint,
  readCheckpoint,
} from '../src/checkpoint/index.js';
import { ConfigError, parseTrainConfig, requestedClusters } from '../src/config.js';
import { latentDirections } from '../src/export/directions.js';
import {
  buildGan,
  buildSelfConditionedGenerator,
  clusterOfLatents,
  clusterThresholds,
  selfConditioningThresholds,
} from '../src/models/index.js';
import { clusterSharesOf, latentIntoCluster } from '../src/sampling/latent.js';
import { generatorSignature } from '../src/sampling/sample.js';
import { kMeans, selfConditioningData } from '../src/train/clusters.js';
import { CounterRng } from '../src/train/prng.js';
import { train } from '../src/train/trainer.js';
import { firstDifference, mnist, setupBackend, tempDir } from './gan-helpers.js';

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await setupBackend();
  ({ dir: root, cleanup } = await tempDir('self-conditioning'));
});
afterAll(() => cleanup());

/** `perBlob` points around each of `centres` (dims values each), jittered by +-0.1, shuffled. */
function blobs(centres: number[][], perBlob: number, seed: number) {
  const rng = new CounterRng(seed);
  const dims = centres[0]?.length ?? 0;
  const rows = centres.flatMap((centre, blob) =>
    Array.from({ length: perBlob }, () => ({
      blob,
      values: centre.map((v) => v + (rng.nextFloat() - 0.5) * 0.2),
    })),
  );
  for (let i = rows.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return {
    data: Float32Array.from(rows.flatMap((r) => r.values)),
    truth: rows.map((r) => r.blob),
    dims,
  };
}

describe('kMeans', () => {
  const centres = [
    [0, 0, 0],
    [3, 0, 0],
    [0, 3, 0],
    [0, 0, 3],
  ];

  it('recovers separated blobs exactly, fitted on a subsample, the same way every time', () => {
    const { data, truth, dims } = blobs(centres, 300, 1);
    const a = kMeans(data, truth.length, dims, 4, 7, { fitRows: 500 });
    // Every blob maps to one cluster and every cluster to one blob.
    const pairs = new Set(truth.map((blob, i) => `${blob}:${a.assignments[i]}`));
    expect(pairs.size).toBe(4);
    expect(new Set(a.assignments).size).toBe(4);
    expect(Array.from(a.sizes)).toEqual([300, 300, 300, 300]);
    const b = kMeans(data, truth.length, dims, 4, 7, { fitRows: 500 });
    expect(b.assignments).toEqual(a.assignments);
  });

  it('names a k it cannot use', () => {
    const { data, truth, dims } = blobs(centres, 2, 1);
    expect(() => kMeans(data, truth.length, dims, 1, 0)).toThrow(/2 <= k <= 8/);
    expect(() => kMeans(data, truth.length, dims, 9, 0)).toThrow(/got k = 9/);
    expect(() => kMeans(data.subarray(1), truth.length, dims, 2, 0)).toThrow(/not 8 rows of 3/);
  });
});

describe('the cluster code on z[0]', () => {
  it('draws each cluster with its share of the data', () => {
    const shares = [1, 2, 3, 4];
    const cuts = clusterThresholds(shares);
    // normalCdf is good to 7.5e-8.
    clusterSharesOf(cuts).forEach((share, c) => expect(share).toBeCloseTo(shares[c]! / 10, 6));
    const counts = tf.tidy(() => {
      const z = tf.randomNormal<tf.Rank.R2>([20_000, 3], 0, 1, 'float32', 5);
      return clusterOfLatents(z, tf.tensor2d(Float32Array.from(cuts), [1, 3]))
        .sum(0)
        .arraySync();
    }) as number[];
    counts.forEach((count, c) => expect(count / 20_000).toBeCloseTo(shares[c]! / 10, 1));
    // A latent moved into a cluster lands inside it, keeping its rank among the others.
    for (let c = 0; c < 4; c++) {
      const lower = c === 0 ? -Infinity : cuts[c - 1]!;
      const upper = c === 3 ? Infinity : cuts[c]!;
      const moved = [-2, -0.5, 0, 0.5, 2].map((z0) => latentIntoCluster(z0, cuts, c));
      moved.forEach((z0) => {
        expect(z0).toBeGreaterThan(lower);
        expect(z0).toBeLessThan(upper);
      });
      expect([...moved].sort((a, b) => a - b)).toEqual(moved);
    }
    expect(() => latentIntoCluster(0, cuts, 4)).toThrow(/cluster 4 is not one of 0..3/);
  });

  it("G's frozen code layer cuts z[0] where D's labels do, and G stays unconditional", () => {
    const generator = buildSelfConditionedGenerator({
      shape: [28, 28, 1],
      latentDim: 8,
      numClasses: 5,
      clusterShares: [5, 1, 1, 1, 2],
    });
    expect(generatorSignature(generator)).toEqual({ latentDim: 8, numClasses: 0 });
    const cuts = selfConditioningThresholds(generator)!;
    const expected = clusterThresholds([5, 1, 1, 1, 2]);
    Array.from(cuts).forEach((t, i) => expect(t).toBeCloseTo(expected[i]!, 5));
    expect(generator.trainableWeights.some((w) => w.originalName.includes('cluster_code'))).toBe(
      false,
    );
    const codeLayer = generator.getLayer('cluster_code');
    const probe = tf.model({ inputs: generator.inputs, outputs: generator.layers[2]!.output });
    expect(codeLayer.outputShape).toEqual([null, 4]);
    tf.tidy(() => {
      const z = tf.randomNormal<tf.Rank.R2>([2000, 8], 0, 1, 'float32', 9);
      const thermometer = (probe.predict(z) as tf.Tensor).arraySync() as number[][];
      const oneHot = clusterOfLatents(z, tf.tensor2d(cuts, [1, 4])).arraySync();
      thermometer.forEach((code, i) => {
        // Thermometer code [z0 > t1, ..., z0 > t4]: its sum is the cluster index.
        expect(code.every((v) => v === 0 || v === 1)).toBe(true);
        expect(oneHot[i]!.indexOf(1)).toBe(code.reduce((a, b) => a + b, 0));
      });
    });
    generator.dispose();
  });

  it("its latent directions come from the trunk's first dense layer and leave z[0] (the cluster) alone", () => {
    const generator = buildSelfConditionedGenerator({
      shape: [28, 28, 1],
      latentDim: 8,
      numClasses: 4,
    });
    const { layer, directions } = latentDirections(generator, { count: 3, probes: 8 });
    expect(layer).not.toBe('cluster_code');
    // The first dense layer after the code: it reads z and the 3-value code.
    expect(generator.getLayer(layer).getWeights()[0]!.shape[0]).toBe(8 + 3);
    for (const d of directions) {
      expect(Math.abs(d.vector[0]!)).toBeLessThan(1e-9);
      expect(Math.hypot(...d.vector)).toBeCloseTo(1, 5);
    }
    generator.dispose();
  });

  it('a dcgan of 2+ clusters pairs it with the projection discriminator; 0 builds the plain one', () => {
    const sc = buildGan('dcgan', { shape: [28, 28, 1], latentDim: 8, numClasses: 3 });
    expect(sc.numClasses).toBe(3);
    expect(sc.discriminator.inputs).toHaveLength(2);
    const plain = buildGan('dcgan', { shape: [28, 28, 1], latentDim: 8 });
    expect(plain.numClasses).toBe(0);
    expect(selfConditioningThresholds(plain.generator)).toBeNull();
    [sc, plain].forEach((m) => {
      m.generator.dispose();
      m.discriminator.dispose();
    });
  });
});

describe('config', () => {
  it('defaults to self-conditioning for a non-private dcgan only', () => {
    expect(requestedClusters(parseTrainConfig({ dataset: { kind: 'mnist' } }))).toBe(30);
    expect(
      requestedClusters(parseTrainConfig({ dataset: { kind: 'mnist' }, model: 'cdcgan' })),
    ).toBe(0);
    expect(
      requestedClusters(
        parseTrainConfig({ dataset: { kind: 'mnist' }, privacy: { noiseMultiplier: 1 } }),
      ),
    ).toBe(0);
    expect(requestedClusters(parseTrainConfig({ dataset: { kind: 'mnist' }, clusters: 0 }))).toBe(
      0,
    );
  });

  it.each([
    [{ model: 'cdcgan', clusters: 10 }, /applies to model dcgan only, not cdcgan/],
    [{ clusters: 1 }, /0 \(off\) or at least 2/],
    [{ clusters: 10, privacy: { noiseMultiplier: 1 } }, /private training cannot self-condition/],
    [{ clusters: 2.5 }, /clusters/],
  ])('refuses %j', (fields, message) => {
    const parse = () => parseTrainConfig({ dataset: { kind: 'mnist' }, ...fields });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(message);
  });
});

describe('training on real MNIST', () => {
  it('clusters pooled digits into one cluster per 50 images, deterministically', async () => {
    const data = await mnist(512);
    const a = selfConditioningData({ model: 'dcgan', seed: 3 }, data)!;
    expect(a.numClasses).toBe(10);
    expect(a.sizes.reduce((s, n) => s + n, 0)).toBe(512);
    expect(Math.min(...a.sizes)).toBeGreaterThan(0);
    const b = selfConditioningData({ model: 'dcgan', seed: 3 }, data)!;
    const labels = (d: typeof a) => d.data.examples!(Int32Array.from({ length: 512 }, (_, i) => i));
    const [la, lb] = [labels(a), labels(b)];
    expect(lb.labels).toEqual(la.labels);
    tf.dispose([la.images, lb.images]);
    // Too few images for 2 clusters of 50: the plain dcgan.
    expect(selfConditioningData({ model: 'dcgan', seed: 3 }, await mnist(99))).toBeNull();
  });

  it('trains, resumes exactly, and its checkpoint loads as an unconditional generator', async () => {
    const config = {
      dataset: { kind: 'mnist' as const },
      batchSize: 8,
      steps: 4,
      checkpointEvery: 2,
      sampleEvery: 2,
      sampleCount: 20,
    };
    const data = await mnist(512);
    const grids: { cols: number; n: number }[] = [];
    const full = await train(config, {
      dataset: data,
      checkpointDir: join(root, 'a'),
      callbacks: { onSamples: (e) => void grids.push({ cols: e.cols, n: e.images.shape[0] }) },
    });
    expect(full.status).toBe('completed');
    // One grid row per cluster: 10 clusters, 20 samples -> 2 columns.
    expect(grids[0]).toEqual({ cols: 2, n: 20 });
    const resumed = await train(config, {
      dataset: data,
      checkpointDir: join(root, 'b'),
      resumeFrom: join(root, 'a', 'step-000000002'),
    });
    expect(resumed.status).toBe('completed');
    const [a, b] = await Promise.all([
      readCheckpoint(join(root, 'a', 'step-000000004')),
      readCheckpoint(join(root, 'b', 'step-000000004')),
    ]);
    expect(a.numClasses).toBe(10);
    a.groups.generatorEma.tensors.forEach((t, i) =>
      expect(
        firstDifference(b.groups.generatorEma.tensors[i]!.values, t.values),
        t.name,
      ).toBeNull(),
    );
    const generator = await generatorFromCheckpoint(join(root, 'a', 'step-000000004'));
    expect(generatorSignature(generator)).toEqual({ latentDim: 100, numClasses: 0 });
    expect(selfConditioningThresholds(generator)).toHaveLength(9);
    generator.dispose();
  }, 300_000);

  it('a dcgan checkpoint from before self-conditioning, resumed under the default, says to set clusters: 0', async () => {
    const config = { dataset: { kind: 'mnist' as const }, batchSize: 8, steps: 2, sampleEvery: 0 };
    const data = await mnist(512);
    await train({ ...config, clusters: 0 }, { dataset: data, checkpointDir: join(root, 'plain') });
    // What such a checkpoint holds: a config without the field.
    const dir = join(root, 'plain', 'step-000000002');
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
      config: Record<string, unknown>;
    };
    delete manifest.config.clusters;
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const resume = (fields: object) =>
      train({ ...config, ...fields, steps: 3 }, { dataset: data, resumeFrom: dir });
    await expect(resume({})).rejects.toThrow(CheckpointError);
    await expect(resume({})).rejects.toThrow(/clusters: 0/);
    await expect(resume({ clusters: 0 })).resolves.toMatchObject({ status: 'completed', step: 3 });
  }, 300_000);
});
