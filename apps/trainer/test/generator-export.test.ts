/**
 * The export's named directions carry class-probability shifts when the run's dataset has a cached
 * metric classifier (a real one, trained small here) and none when it has not: a real checkpoint of
 * a one-step cDCGAN run on real MNIST.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist } from '@ganmod/datasets';
import {
  datasetKey,
  directionsFile,
  initBackend,
  latestCheckpoint,
  train,
  trainFeatureExtractor,
  type LatentDirections,
} from '@ganmod/gan-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCheckpointGenerator } from '../src/training/generator-export.js';

describe('exportCheckpointGenerator', () => {
  let dir: string;
  let checkpoint: string;
  const saved = process.env.GANMOD_DATA_DIR;
  let mnist: Awaited<ReturnType<typeof loadMnist>>['dataset'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ganmod-export-'));
    process.env.GANMOD_DATA_DIR = dir;
    await initBackend({ logger: null });
    ({ dataset: mnist } = await loadMnist({ limit: 512 }));
    const result = await train(
      { model: 'cdcgan', dataset: { kind: 'mnist' }, latentDim: 8, batchSize: 8, steps: 1 },
      { dataset: mnist, checkpointDir: join(dir, 'checkpoints'), backend: 'current' },
    );
    checkpoint = result.checkpoint ?? (await latestCheckpoint(join(dir, 'checkpoints'))) ?? '';
  }, 120_000);
  afterAll(() => {
    if (saved === undefined) delete process.env.GANMOD_DATA_DIR;
    else process.env.GANMOD_DATA_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  const read = (out: string) =>
    JSON.parse(readFileSync(join(out, directionsFile), 'utf8')) as LatentDirections;

  it('measures class shifts with the cached metric classifier, and only then', async () => {
    const before = join(dir, 'export-before');
    await exportCheckpointGenerator(checkpoint, before, {}, mnist);
    expect(read(before).classifier).toBeUndefined();
    expect(read(before).directions[0]?.classShift).toBeUndefined();

    const { dataset: test } = await loadMnist({ split: 'test', limit: 200 });
    const classifier = await trainFeatureExtractor(mnist, test, { epochs: 1, batchSize: 64 });
    await classifier.save(join(dir, 'metric-models', datasetKey(mnist)));
    classifier.dispose();

    const after = join(dir, 'export-after');
    await exportCheckpointGenerator(checkpoint, after, {}, mnist);
    const found = read(after);
    expect(found.classifier?.key).toBe('mnist-28x28x1');
    expect(found.directions).toHaveLength(5);
    for (const d of found.directions) {
      expect(d.classShift?.tv).toBeGreaterThanOrEqual(0);
      expect(d.classShift?.labelProbability).toHaveLength(2);
    }
  });
});
