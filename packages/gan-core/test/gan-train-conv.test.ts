import { loadMnist, type Dataset } from '@ganmod/datasets';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';

import type { TrainConfigInput } from '../src/config.js';
import type { TrainingImages } from '../src/train/data.js';
import { train } from '../src/train/trainer.js';
import { collectLosses, mnist, setupBackend } from './gan-helpers.js';

beforeAll(setupBackend);

async function trainFew(
  config: TrainConfigInput,
  dataset: Promise<TrainingImages | Dataset> = mnist(),
) {
  const { losses, onStep } = collectLosses();
  const pngs: Uint8Array[] = [];
  const result = await train(config, {
    dataset: await dataset,
    callbacks: { onStep, onSamples: ({ png }) => void pngs.push(png) },
  });
  return { result, losses, pngs };
}

function expectMoving(losses: Record<string, number | undefined>[]) {
  for (const l of losses) for (const v of Object.values(l)) expect(Number.isFinite(v)).toBe(true);
  const first = losses[0];
  const last = losses.at(-1);
  expect(Math.abs((last?.d ?? 0) - (first?.d ?? 0))).toBeGreaterThan(1e-3);
  expect(Math.abs((last?.g ?? 0) - (first?.g ?? 0))).toBeGreaterThan(1e-3);
}

describe('convolutional GANs on real MNIST (wasm + the project kernels)', () => {
  it('DCGAN (TF tutorial architecture) trains with non-saturating BCE', async () => {
    const { result, losses } = await trainFew({
      dataset: { kind: 'mnist' },
      model: 'dcgan',
      batchSize: 8,
      steps: 4,
      sampleEvery: 0,
    });
    expect(result.status).toBe('completed');
    expectMoving(losses);
  }, 120_000);

  it('DCGAN trains with WGAN-GP (second-order gradients through convolutions)', async () => {
    const { losses } = await trainFew({
      dataset: { kind: 'mnist' },
      model: 'dcgan',
      loss: 'wgan-gp',
      batchSize: 8,
      steps: 3,
      sampleEvery: 0,
    });
    expectMoving(losses);
    for (const l of losses) expect(l.gp).toBeGreaterThan(0);
  }, 120_000);

  it('class-conditional DCGAN trains and draws one grid row per class', async () => {
    const { losses, pngs } = await trainFew({
      dataset: { kind: 'mnist' },
      model: 'cdcgan',
      batchSize: 10,
      steps: 3,
      sampleEvery: 3,
      sampleCount: 30,
    });
    expectMoving(losses);
    const png = PNG.sync.read(Buffer.from(pngs[0] ?? []));
    // 10 classes x 3 columns of 28 px tiles with 2 px gaps.
    expect([png.width, png.height]).toEqual([3 * 30 + 2, 10 * 30 + 2]);
  }, 120_000);

  it('the deeper DCGAN trains on 32x32x3 images with DiffAugment', async () => {
    // A @ganmod/datasets dataset goes to train() as is (shuffled with the config's seed).
    const rgb = loadMnist({ limit: 64, size: 32, channels: 3 }).then(({ dataset }) => dataset);
    const { losses } = await trainFew(
      {
        dataset: { kind: 'mnist', size: 32, channels: 3 },
        model: 'dcgan',
        batchSize: 8,
        steps: 3,
        sampleEvery: 0,
        diffAugment: 'color,translation,cutout',
      },
      rgb,
    );
    expectMoving(losses);
  }, 120_000);

  it('refuses a conditional model on an unlabelled dataset', async () => {
    const { inMemoryImages } = await import('../src/train/data.js');
    const unlabelled = inMemoryImages({ pixels: new Uint8Array(4 * 784), shape: [28, 28, 1] });
    await expect(
      train({ dataset: { kind: 'mnist' }, model: 'cdcgan', steps: 1 }, { dataset: unlabelled }),
    ).rejects.toThrow(/cdcgan needs a labelled dataset with at least 2 classes, got 0/);
  });
});
