import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist } from '@ganmod/datasets';
import { buildGenerator, exportGenerator, initBackend } from '@ganmod/gan-core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyntheticDetector } from '../src/detectors/synthetic.js';
import { ModerationConfigError } from '../src/errors.js';
import { ganCoreGenerator } from '../src/synthetic/gan-core-generator.js';
import { blendStandInGenerator, realBatch, type RealImageSet } from '../src/synthetic/generator.js';
import { loadSyntheticModel, saveSyntheticModel } from '../src/synthetic/model-dir.js';
import { predictSynthetic, trainSyntheticDetector } from '../src/synthetic/train.js';

describe('synthetic-image detector (MNIST vs the blend stand-in generator)', () => {
  let train: RealImageSet;
  let test: RealImageSet;
  const dir = mkdtempSync(join(tmpdir(), 'synthetic-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    train = (await loadMnist({ split: 'train', limit: 3000 })).dataset;
    test = (await loadMnist({ split: 'test', limit: 300 })).dataset;
  });

  it('trains, evaluates on held-out images with AP/AUC, saves and loads back', async () => {
    const { trained, evaluation } = await trainSyntheticDetector({
      real: train,
      realTest: test,
      generate: blendStandInGenerator(train),
      generatorName: 'blend stand-in (not a GAN)',
      steps: 60,
      batchSize: 32,
      evalSize: 300,
    });
    expect(evaluation).toMatchObject({ realTest: 300, generatedTest: 300, realDataset: 'mnist' });
    expect(evaluation.rocAuc).toBeGreaterThan(0.9);
    expect(evaluation.averagePrecision).toBeGreaterThan(0.9);

    await saveSyntheticModel(dir, trained, evaluation);
    const loaded = await loadSyntheticModel(dir);
    expect(loaded.evaluation).toEqual(evaluation);
    const x = realBatch(test, [0, 1, 2, 3]);
    const a = await predictSynthetic(trained.model, x);
    const b = await predictSynthetic(loaded.model, x);
    x.dispose();
    expect(Array.from(b)).toEqual(Array.from(a));

    // Through the detector interface, on decoded RGB images like the pipeline's.
    const detector = createSyntheticDetector(loaded);
    const fake = await blendStandInGenerator(test)(8, 99);
    const real = realBatch(test, [10, 11, 12, 13, 14, 15, 16, 17]);
    const toRgb = async (t: tf.Tensor4D) => {
      const bytes = await tf
        .tidy(() => t.add(1).mul(127.5).round().tile([1, 1, 1, 3]).cast('int32'))
        .data();
      return Array.from({ length: t.shape[0] }, (_, k) => ({
        externalId: `i${k}`,
        image: {
          width: 28,
          height: 28,
          data: Uint8Array.from(bytes.subarray(k * 28 * 28 * 3, (k + 1) * 28 * 28 * 3)),
        },
      }));
    };
    const fakeScores = (await detector.detect(await toRgb(fake))).map((r) => r.score);
    const realScores = (await detector.detect(await toRgb(real))).map((r) => r.score);
    tf.dispose([fake, real]);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    expect(mean(fakeScores)).toBeGreaterThan(mean(realScores) + 0.3);
  });

  it('refuses a generator whose images do not match the real set', async () => {
    await expect(
      trainSyntheticDetector({
        real: train,
        realTest: test,
        generate: (n) => tf.zeros([n, 32, 32, 1]),
        generatorName: 'wrong size',
        steps: 1,
      }),
    ).rejects.toThrow(ModerationConfigError);
  });

  it('trains against a generator exported by gan-core (untrained here, so easy to spot)', async () => {
    await initBackend({ logger: null });
    const exportDir = join(dir, 'generator');
    await exportGenerator(buildGenerator('mlp', { shape: [28, 28, 1], latentDim: 16 }), exportDir);
    const { generate, name } = await ganCoreGenerator(exportDir);
    expect(name).toMatch(/^gan-core generator /);
    const probe = await generate(3, 5);
    expect(probe.shape).toEqual([3, 28, 28, 1]);
    probe.dispose();
    const { evaluation } = await trainSyntheticDetector({
      real: train,
      realTest: test,
      generate,
      generatorName: name,
      steps: 15,
      batchSize: 32,
      evalSize: 100,
    });
    expect(evaluation.generator).toBe(name);
    expect(evaluation.rocAuc).toBeGreaterThan(0.9);
  });

  it('reports a clear error for a missing model dir', async () => {
    await expect(loadSyntheticModel(join(dir, 'nope'))).rejects.toThrow(
      /cannot read detector\.json/,
    );
  });
});
