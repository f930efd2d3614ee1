/**
 * Issue 3: "the 8-Gaussian ring is covered (modes hit) by a trained generator". Trains toy-mlp on
 * RING8 of @ganmod/datasets (radius 2, std 0.02) through the public `train()` and scores the EMA
 * generator with the datasets package's `modeCoverage` (2,500 samples, PacGAN's count; a mode is
 * covered with >= 20% of a perfect generator's share of samples within 3 std of its centre).
 *
 * Why these hyper-parameters (measured on this machine; numbers in docs/results.md):
 * - bce + R1 (gamma 0.1, Mescheder et al. 2018). Plain non-saturating BCE hops between modes and
 *   drops some for good: 1-2 modes at lr 3e-4..1e-3, 5/8, 7/8 and 8/8 on three seeds at 2e-3 (the
 *   removed test of commit 2f11311 reached 5/8). R1 on the reals damps the discriminator
 *   oscillation that drives the hopping, and G spreads over every mode.
 * - Adam lr 2e-3 for both nets, betas (0.5, 0.999), batch 256: the literature's 1e-4 puts no
 *   sample within 3 std (0.06) of a centre after 2,000 steps; 1e-3 needs 1,000 to more than 1,500
 *   steps depending on the seed; 2e-3 covers the ring in 750-1,000, which keeps the test at
 *   15-32 s of CPU (native kernels / plain wasm).
 * - The EMA generator (decay 0.999, the default), which is what train() samples: it averages the
 *   raw generator's residual rotation between modes (raw G: 3-5 modes at steps where EMA G has 8).
 * - Seeds 1-10 all reach 8/8 by step 1,000 with 67-78% high-quality samples (seed 1: 73.5%); the
 *   test asserts 8/8 and > 50%.
 */
import { modeCoverage, RING8, sampleMixture, type ModeCoverage } from '@ganmod/datasets';
import { beforeAll, describe, expect, it } from 'vitest';

import type { TrainConfigInput } from '../src/config.js';
import { train } from '../src/train/trainer.js';
import { setupBackend } from './gan-helpers.js';

beforeAll(setupBackend);

const ringConfig = {
  dataset: { kind: 'ring8' },
  model: 'toy-mlp',
  latentDim: 8,
  loss: 'bce',
  r1Gamma: 0.1,
  lrG: 2e-3,
  lrD: 2e-3,
  beta1: 0.5,
  beta2: 0.999,
  batchSize: 256,
  steps: 1000,
  emaDecay: 0.999,
  seed: 1,
  sampleEvery: 0,
  checkpointEvery: 0,
  evalEvery: 1000,
} as const satisfies TrainConfigInput;

describe('toy-mlp on the 8-Gaussian ring', () => {
  it('a trained generator covers all 8 modes, mostly with high-quality samples', async () => {
    const { dataset } = sampleMixture(RING8, { seed: ringConfig.seed });
    let coverage: ModeCoverage | undefined;
    const result = await train(ringConfig, {
      dataset,
      callbacks: {
        // evalEvery = steps: called once, with the final EMA generator.
        onEval: ({ step, samplePoints }) => {
          const points = samplePoints(2500, 99);
          coverage = modeCoverage(points, RING8);
          points.dispose();
          return { step, modes: coverage.modesCovered, hq: coverage.highQualityFraction };
        },
      },
    });
    expect(result).toEqual({ status: 'completed', step: ringConfig.steps });
    expect(coverage?.sampleCount).toBe(2500);
    // A collapsed generator hits 1-2 modes; every mode here gets >= 62 of the 2,500 samples.
    expect(coverage?.modesCovered).toBe(8);
    // VEEGAN reports 52.9% high-quality samples on this ring; measured here 67-78% at step 1,000.
    expect(coverage?.highQualityFraction).toBeGreaterThan(0.5);
  }, 180_000);
});
