/**
 * The benchmark's training step with a single generator forward (the D update nested in G's
 * tape) must equal the plain sequence "update D on G(z), then update G through the updated D".
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createGanTrainer } from '../src/bench/gan-step.js';
import { mlpGan } from '../src/bench/models.js';
import { relativeError, setUpWasm } from './kernel-harness.js';

function trainedWeights(single: boolean, init: Float32Array[]): Float32Array[] {
  // The MLP GAN: no dropout, so both runs see exactly the same computation.
  const gan = mlpGan();
  const all = [...gan.generator.trainableWeights, ...gan.discriminator.trainableWeights];
  tf.tidy(() => all.forEach((w, i) => w.write(tf.tensor(init[i]!, w.shape as number[]))));
  const trainer = createGanTrainer(gan, 16, { singleGeneratorForward: single, seed: 5 });
  const losses = [trainer.step(), trainer.step(), trainer.step()];
  expect(losses.every((l) => Number.isFinite(l.discriminator + l.generator))).toBe(true);
  trainer.dispose();
  const out = all.map((w) => w.read().dataSync() as Float32Array);
  gan.generator.dispose();
  gan.discriminator.dispose();
  return out;
}

describe('GAN training step', () => {
  it('a single generator forward gives the same updates as two', async () => {
    await setUpWasm();
    const init = (() => {
      const gan = mlpGan();
      const w = [...gan.generator.trainableWeights, ...gan.discriminator.trainableWeights].map(
        (v) => v.read().dataSync() as Float32Array,
      );
      gan.generator.dispose();
      gan.discriminator.dispose();
      return w;
    })();
    const twice = trainedWeights(false, init);
    const once = trainedWeights(true, init);
    expect(once).toHaveLength(twice.length);
    let moved = 0;
    for (let i = 0; i < twice.length; i++) {
      expect(relativeError(once[i]!, twice[i]!), `weight ${i}`).toBeLessThan(1e-5);
      moved = Math.max(moved, relativeError(once[i]!, init[i]!));
    }
    expect(moved).toBeGreaterThan(1e-4); // training did change the weights
  }, 60_000);
});
