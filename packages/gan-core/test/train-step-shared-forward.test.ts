import { beforeAll, describe, expect, it } from 'vitest';

import { parseTrainConfig, type TrainConfigInput } from '../src/config.js';
import { createTrainingState, disposeState } from '../src/train/state.js';
import { trainStep } from '../src/train/step.js';
import { mnist, setupBackend } from './gan-helpers.js';
import { relativeError } from './kernel-harness.js';

beforeAll(() => setupBackend(), 60_000);

/** Every trainable weight of G then D after `steps` steps of `config` on real digits. */
async function trainedWeights(
  input: TrainConfigInput,
  sharedGeneratorForward: boolean,
  steps = 3,
): Promise<{ initial: Float32Array[]; final: Float32Array[]; losses: number[] }> {
  const config = parseTrainConfig(input);
  const data = await mnist(256);
  const state = createTrainingState(config, [28, 28, 1], config.model === 'cdcgan' ? 10 : 0);
  const weights = (): Float32Array[] =>
    [...state.generator.trainableWeights, ...state.discriminator.trainableWeights].map(
      (w) => w.read().dataSync() as Float32Array,
    );
  const initial = weights();
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { d, g } = trainStep(state, data, null, { sharedGeneratorForward });
    losses.push(d, g);
  }
  const final = weights();
  disposeState(state);
  return { initial, final, losses };
}

describe('trainStep with one generator forward for the last D update and the G update', () => {
  it.each([
    // BatchNorm in G, dropout in D: the default image model.
    ['dcgan', { dataset: { kind: 'mnist' }, model: 'dcgan', batchSize: 8, seed: 3 }],
    // Labels, two D updates per step (only the last shares), R1's second-order gradient inside
    // G's tape, DiffAugment's random draws.
    [
      'cdcgan, dSteps 2, R1, DiffAugment',
      {
        dataset: { kind: 'mnist' },
        model: 'cdcgan',
        batchSize: 8,
        seed: 4,
        dSteps: 2,
        r1Gamma: 1,
        diffAugment: 'translation,cutout',
      },
    ],
  ] as const)('%s: the same updates as two forwards', async (_, input) => {
    const twice = await trainedWeights(input, false);
    const once = await trainedWeights(input, true);
    expect(once.final).toHaveLength(twice.final.length);
    let moved = 0;
    for (let i = 0; i < twice.final.length; i++) {
      expect(relativeError(once.final[i]!, twice.final[i]!), `weight ${i}`).toBeLessThan(1e-5);
      moved = Math.max(moved, relativeError(once.final[i]!, once.initial[i]!));
    }
    expect(moved).toBeGreaterThan(1e-3); // the steps did train both networks
    once.losses.forEach((l, i) => expect(l).toBeCloseTo(twice.losses[i]!, 4));
  });
});
