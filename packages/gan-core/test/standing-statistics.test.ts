import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { generatorFromCheckpoint } from '../src/checkpoint/index.js';
import { buildGenerator } from '../src/models/index.js';
import { GeneratorEma } from '../src/train/ema.js';
import { CounterRng } from '../src/train/prng.js';
import { refreshStandingStatistics } from '../src/train/standing-statistics.js';
import { train } from '../src/train/trainer.js';
import { mnist, setupBackend, tempDir } from './gan-helpers.js';

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await setupBackend();
  ({ dir: root, cleanup } = await tempDir('standing'));
});
afterAll(() => cleanup());

type BatchNormFields = tf.layers.Layer & {
  momentum: number;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
};
const batchNorms = (g: tf.LayersModel): BatchNormFields[] =>
  g.layers.filter((l) => l.getClassName() === 'BatchNormalization') as BatchNormFields[];
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number =>
  tf.tidy(() => a.sub(b).abs().max().dataSync()[0] ?? Infinity);

/** The noise batches refreshStandingStatistics draws for `seed` (an unconditional generator). */
function noise(seed: number, batches: number, batchSize: number, latentDim: number): tf.Tensor2D[] {
  const rng = new CounterRng(seed);
  return Array.from({ length: batches }, () =>
    tf.randomNormal([batchSize, latentDim], 0, 1, 'float32', rng.nextSeed()),
  );
}

describe('standing statistics', () => {
  it('sets each batch norm to the average of its batch statistics over the noise batches', () => {
    const g = buildGenerator('dcgan', { shape: [28, 28, 1], latentDim: 8 });
    const [first] = batchNorms(g);
    const momenta = batchNorms(g).map((l) => l.momentum);
    expect(refreshStandingStatistics(g, { batches: 3, batchSize: 16, seed: 5 })).toBe(true);
    // The first batch norm reads the dense layer's output of z: its batch means are known exactly.
    const toFirst = tf.model({ inputs: g.inputs, outputs: first!.input });
    const batches = noise(5, 3, 16, 8);
    const expected = tf.tidy(() =>
      tf.stack(batches.map((z) => (toFirst.predict(z) as tf.Tensor2D).mean(0))).mean(0),
    );
    expect(maxAbsDiff(first!.movingMean.read(), expected)).toBeLessThan(1e-5);
    expect(batchNorms(g).map((l) => l.momentum)).toEqual(momenta);
    tf.dispose([expected, ...batches]);
    g.dispose();
  });

  it('with one batch, inference on that batch equals training mode on it', () => {
    const g = buildGenerator('dcgan', { shape: [28, 28, 1], latentDim: 8 });
    refreshStandingStatistics(g, { batches: 1, batchSize: 32, seed: 9 });
    const [z] = noise(9, 1, 32, 8);
    const inference = g.apply(z!, { training: false }) as tf.Tensor;
    const training = g.apply(z!, { training: true }) as tf.Tensor;
    expect(maxAbsDiff(inference, training)).toBeLessThan(1e-3);
    tf.dispose([z!, inference, training]);
    g.dispose();
  });

  it('draws class labels for a conditional generator and leaves one without batch norm alone', () => {
    const g = buildGenerator('cdcgan', { shape: [28, 28, 1], latentDim: 8, numClasses: 10 });
    const before = batchNorms(g)[0]!.movingMean.read().dataSync().slice();
    expect(refreshStandingStatistics(g, { batches: 2, batchSize: 8 })).toBe(true);
    expect(Array.from(batchNorms(g)[0]!.movingMean.read().dataSync())).not.toEqual(
      Array.from(before),
    );
    g.dispose();
    const plain = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
    expect(refreshStandingStatistics(plain)).toBe(false);
    plain.dispose();
  });

  it('an eval callback that does not read the generator does not pay for a refresh', async () => {
    const dataset = await mnist();
    const refresh = vi.spyOn(GeneratorEma.prototype, 'ready');
    const config = {
      dataset: { kind: 'mnist' },
      model: 'dcgan',
      latentDim: 8,
      batchSize: 8,
      steps: 4,
      sampleEvery: 0,
      evalEvery: 1,
    } as const;
    try {
      await train(config, { dataset, callbacks: { onEval: () => undefined } });
      expect(refresh).toHaveBeenCalledTimes(0);
      let reads = 0;
      await train(config, {
        dataset,
        callbacks: {
          onEval: (context) => {
            if (context.step % 2 === 0) reads += context.generator.countParams() > 0 ? 1 : 0;
          },
        },
      });
      expect(reads).toBe(2);
      expect(refresh).toHaveBeenCalledTimes(2);
    } finally {
      refresh.mockRestore();
    }
  }, 60_000);

  it("a run's EMA generator is checkpointed with statistics made for its own weights", async () => {
    const dataset = await mnist();
    const result = await train(
      { dataset: { kind: 'mnist' }, model: 'dcgan', latentDim: 8, batchSize: 8, steps: 3 },
      { dataset, checkpointDir: join(root, 'run') },
    );
    const ema = await generatorFromCheckpoint(result.checkpoint ?? '');
    const raw = await generatorFromCheckpoint(result.checkpoint ?? '', { ema: false });
    const stored = batchNorms(ema).map((l) => l.movingVariance.read().clone());
    // Not the raw generator's moving statistics (what the EMA copy held before)...
    expect(maxAbsDiff(stored[0]!, batchNorms(raw)[0]!.movingVariance.read())).toBeGreaterThan(1e-4);
    // ...but what the refresh computes for these weights with the run's seed.
    refreshStandingStatistics(ema, { seed: 0 });
    batchNorms(ema).forEach((l, i) =>
      expect(maxAbsDiff(l.movingVariance.read(), stored[i]!)).toBeLessThan(1e-6),
    );
    tf.dispose(stored);
    [ema, raw].forEach((m) => m.dispose());
  }, 60_000);
});
