import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { inMemoryImages } from '../src/train/data.js';
import { train } from '../src/train/trainer.js';
import { collectLosses, mnist, setupBackend } from './gan-helpers.js';

beforeAll(setupBackend);

const base = { dataset: { kind: 'mnist' }, model: 'mlp', batchSize: 32, sampleEvery: 0 } as const;

describe('train (MLP GAN on real MNIST)', () => {
  it('trains: losses are finite and D learns to separate real from fake', async () => {
    const dataset = await mnist();
    const { losses, onStep } = collectLosses();
    const result = await train({ ...base, steps: 30 }, { dataset, callbacks: { onStep } });
    expect(result).toEqual({ status: 'completed', step: 30 });
    expect(losses).toHaveLength(30);
    for (const l of losses) expect(Number.isFinite(l.d) && Number.isFinite(l.g)).toBe(true);
    // At the start D cannot tell (d ~ 2 ln 2); after 30 steps on digits it can.
    const early = (losses[0]?.d ?? 0) + (losses[1]?.d ?? 0);
    const late = (losses[28]?.d ?? 0) + (losses[29]?.d ?? 0);
    expect(late).toBeLessThan(early * 0.8);
  }, 60_000);

  it('is reproducible: the same seed gives the same losses, another seed different ones', async () => {
    const dataset = await mnist();
    const run = async (seed: number) => {
      const { losses, onStep } = collectLosses();
      await train({ ...base, steps: 4, seed }, { dataset, callbacks: { onStep } });
      return losses;
    };
    const a = await run(1);
    expect(await run(1)).toEqual(a);
    expect(await run(2)).not.toEqual(a);
  }, 60_000);

  it('keeps tf.memory().numTensors flat across steps', async () => {
    const dataset = await mnist();
    const counts: number[] = [];
    await train(
      {
        ...base,
        steps: 12,
        loss: 'wgan-gp',
        r1Gamma: 1,
        diffAugment: 'color,translation,cutout',
        emaDecay: 0.99,
      },
      { dataset, callbacks: { onStep: () => void counts.push(tf.memory().numTensors) } },
    );
    // After a warm-up step (optimizer moments are created on the first update) the count is constant.
    expect(counts.slice(2)).toEqual(Array<number>(counts.length - 2).fill(counts[2] as number));
  }, 60_000);

  it('releases every tensor when it returns', async () => {
    const dataset = await mnist();
    const before = tf.memory().numTensors;
    await train(
      { ...base, steps: 2, sampleEvery: 1 },
      { dataset, callbacks: { onSamples: () => undefined } },
    );
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('stops after the current step when the AbortSignal fires', async () => {
    const dataset = await mnist();
    const controller = new AbortController();
    const steps: number[] = [];
    const result = await train(
      { ...base, steps: 1000 },
      {
        dataset,
        signal: controller.signal,
        callbacks: {
          onStep: ({ step }) => {
            steps.push(step);
            if (step === 3) controller.abort();
          },
        },
      },
    );
    expect(result).toEqual({ status: 'cancelled', step: 3 });
    expect(steps).toEqual([1, 2, 3]);
  }, 60_000);

  it('watchdog: stops a run whose loss turns NaN (corrupt input) with the reason', async () => {
    const real = await mnist();
    const pixels = new Float32Array(64 * 28 * 28).fill(NaN);
    const poisoned = inMemoryImages({ pixels, shape: [28, 28, 1] });
    const result = await train({ ...base, steps: 50 }, { dataset: poisoned });
    expect(result.status).toBe('diverged');
    expect(result.step).toBe(1);
    expect(result.reason).toMatch(/loss d is NaN at step 1/);
    // And a healthy run with the watchdog on does not trip.
    expect((await train({ ...base, steps: 3 }, { dataset: real })).status).toBe('completed');
  }, 60_000);

  it('watchdog: detects discriminator collapse (D loss ~0 while G loss explodes) for N steps', async () => {
    const dataset = await mnist();
    // lrD = 1 with no G learning: D wins outright within a few steps.
    const result = await train(
      {
        ...base,
        steps: 200,
        lrD: 0.05,
        lrG: 1e-8,
        watchdog: { collapsePatience: 5, collapseDLoss: 0.05, collapseGLoss: 3 },
      },
      { dataset },
    );
    expect(result.status).toBe('diverged');
    expect(result.reason).toMatch(/discriminator collapse: .* for 5 consecutive steps/);
  }, 60_000);

  it('emits sample grids from a fixed latent seed as PNG, and eval hooks', async () => {
    const dataset = await mnist();
    const grids: { step: number; png: Uint8Array }[] = [];
    const evals: number[] = [];
    await train(
      { ...base, steps: 4, sampleEvery: 2, sampleCount: 16, evalEvery: 4, emaDecay: 0 },
      {
        dataset,
        callbacks: {
          onSamples: ({ step, png, images }) => {
            expect(images.shape).toEqual([16, 28, 28, 1]);
            grids.push({ step, png });
          },
          onEval: ({ step, sample }) => {
            const x = sample(3, 1);
            expect(x.shape).toEqual([3, 28, 28, 1]);
            x.dispose();
            evals.push(step);
            return { probe: 1 };
          },
        },
      },
    );
    expect(grids.map((g) => g.step)).toEqual([2, 4]);
    expect(evals).toEqual([4]);
    const png = PNG.sync.read(Buffer.from(grids[0]?.png ?? []));
    // 4x4 tiles of 28 px with 2 px gaps.
    expect([png.width, png.height]).toEqual([4 * 30 + 2, 4 * 30 + 2]);
    expect(Buffer.from(grids[1]?.png ?? []).equals(Buffer.from(grids[0]?.png ?? []))).toBe(false);
  }, 60_000);
});
