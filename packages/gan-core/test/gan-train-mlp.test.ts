import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { train } from '../src/train/trainer.js';
import { collectLosses, mnist, setupBackend } from './gan-helpers.js';

beforeAll(setupBackend);

describe('train (MLP GAN on real MNIST)', () => {
  it('trains: losses are finite and move', async () => {
    const dataset = await mnist();
    const { losses, onStep } = collectLosses();
    const t0 = performance.now();
    const result = await train(
      { dataset: { kind: 'mnist' }, model: 'mlp', batchSize: 32, steps: 20, sampleEvery: 0 },
      { dataset, callbacks: { onStep } },
    );
    console.log(
      'mlp 20 steps ms',
      performance.now() - t0,
      tf.getBackend(),
      losses.slice(0, 3),
      losses.at(-1),
    );
    expect(result).toEqual({ status: 'completed', step: 20 });
    expect(losses).toHaveLength(20);
    for (const l of losses) expect(Number.isFinite(l.d) && Number.isFinite(l.g)).toBe(true);
    expect(losses[0]?.d).not.toBeCloseTo(losses[19]?.d ?? 0, 3);
  }, 60_000);
});
