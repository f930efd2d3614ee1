import { join } from 'node:path';

import { loadEmoji, type Dataset } from '@ganmod/datasets';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readCheckpoint } from '../src/checkpoint/index.js';
import { parseTrainConfig, type TrainConfigInput } from '../src/config.js';
import { exportGenerator, loadGenerator } from '../src/export/index.js';
import { buildGan, SpectralNormDense, spectralNormLayers } from '../src/models/index.js';
import { oneHotLabels } from '../src/sampling/sample.js';
import { inMemoryImages } from '../src/train/data.js';
import { createTrainingState, disposeState } from '../src/train/state.js';
import { trainStep } from '../src/train/step.js';
import { train } from '../src/train/trainer.js';
import { collectLosses, setupBackend, tempDir } from './gan-helpers.js';

let root: string;
let cleanup: () => Promise<void>;
let emoji: Dataset;
beforeAll(async () => {
  await setupBackend();
  ({ dir: root, cleanup } = await tempDir('resnet'));
  // Real emoji avatars, 64x64 RGB, of three categories (~400 images without skin-tone variants).
  ({ dataset: emoji } = await loadEmoji({
    classes: ['Activities', 'Food & Drink', 'Travel & Places'],
    skinTones: false,
  }));
}, 60_000);
afterAll(() => cleanup());

/** The avatar recipe at test size: hinge loss, R1, DiffAugment, EMA (the defaults keep it on). */
const avatar: TrainConfigInput = {
  dataset: { kind: 'emoji', classes: ['Activities', 'Food & Drink', 'Travel & Places'] },
  model: 'resnet-cgan',
  loss: 'hinge',
  r1Gamma: 1,
  diffAugment: 'color,translation,cutout',
  batchSize: 2,
  latentDim: 32,
  sampleEvery: 0,
  // The emoji-avatars preset's learning rate.
  lrG: 2e-4,
  lrD: 2e-4,
};

async function run(config: TrainConfigInput, dir: string, resumeFrom?: string) {
  const { losses, onStep } = collectLosses();
  const pngs: Uint8Array[] = [];
  const result = await train(config, {
    dataset: emoji,
    checkpointDir: dir,
    callbacks: { onStep, onSamples: ({ png }) => void pngs.push(png) },
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
  });
  return { losses, result, pngs };
}

describe('resnet-cgan (ResNet G with conditional BN, SN-ResNet D with projection)', () => {
  it('builds 64x64x3 from [z, label], with stock layers in G and spectral norm throughout D', () => {
    const { generator, discriminator, numClasses } = buildGan('resnet-cgan', {
      shape: [64, 64, 3],
      latentDim: 16,
      numClasses: 4,
    });
    expect(numClasses).toBe(4);
    expect(generator.outputs[0]?.shape).toEqual([null, 64, 64, 3]);
    expect(discriminator.outputs[0]?.shape).toEqual([null, 1]);
    // What the browser's plain tf.loadLayersModel knows.
    const stock = ['InputLayer', 'Dense', 'Reshape', 'BatchNormalization', 'Multiply', 'Add'];
    const allowed = new Set([...stock, 'ReLU', 'UpSampling2D', 'Conv2D']);
    expect(generator.layers.map((l) => l.getClassName()).filter((c) => !allowed.has(c))).toEqual(
      [],
    );
    // 4 residual blocks of 3 convs each, the logit and the projection embedding.
    expect(spectralNormLayers(discriminator)).toHaveLength(14);
    expect(() =>
      buildGan('resnet-cgan', { shape: [28, 28, 1], latentDim: 16, numClasses: 4 }),
    ).toThrow(/resnet-cgan builds 32 or 64 px images, not 28x28/);
    generator.dispose();
    discriminator.dispose();
  });

  it('trains on real emoji at 64x64 (finite losses, one grid row per class) and resumes exactly', async () => {
    const full = { ...avatar, steps: 4, checkpointEvery: 2, sampleEvery: 4, sampleCount: 6 };
    const a = await run(full, join(root, 'a'));
    expect(a.result).toMatchObject({ status: 'completed', step: 4 });
    expect(a.losses).toHaveLength(4);
    for (const l of a.losses) {
      for (const v of Object.values(l)) expect(Number.isFinite(v)).toBe(true);
      expect(l.r1).toBeGreaterThan(0);
    }
    const png = PNG.sync.read(Buffer.from(a.pngs[0] ?? []));
    // 3 classes x 2 columns of 64 px tiles with 2 px gaps.
    expect([png.width, png.height]).toEqual([2 * 66 + 2, 3 * 66 + 2]);

    const b = await run(full, join(root, 'b'), join(root, 'a', 'step-000000002'));
    expect(b.result).toMatchObject({ status: 'completed', step: 4 });
    expect(b.losses).toHaveLength(2);
    b.losses.forEach((losses, i) => {
      for (const [name, value] of Object.entries(a.losses[i + 2] ?? {}))
        expect(losses[name], `step ${i + 3} ${name}`).toBe(value);
    });
    const [wa, wb] = await Promise.all([
      readCheckpoint(join(root, 'a', 'step-000000004')),
      readCheckpoint(join(root, 'b', 'step-000000004')),
    ]);
    // D's power-iteration vectors are checkpointed and continue where they were.
    const vectors = (d: typeof wa) =>
      d.groups.discriminator.tensors
        .filter((t) => /sn_[uv]$/.test(t.name))
        .map((t) => Array.from(t.values.subarray(0, 8)));
    expect(vectors(wa)).toHaveLength(28);
    expect(vectors(wb)).toEqual(
      vectors(wa).map((v) => v.map((x): unknown => expect.closeTo(x, 5))),
    );
  }, 600_000);

  it('exports a generator the browser loader reads back with the same outputs', async () => {
    const { generator, discriminator } = buildGan('resnet-cgan', {
      shape: [64, 64, 3],
      latentDim: 16,
      numClasses: 4,
    });
    const dir = join(root, 'export');
    const metadata = await exportGenerator(generator, dir);
    expect(metadata).toMatchObject({ latentDim: 16, numClasses: 4, imageShape: [64, 64, 3] });
    const loaded = await loadGenerator(dir);
    const z = tf.randomNormal([3, 16], 0, 1, 'float32', 5);
    const labels = oneHotLabels([0, 2, 3], 4);
    const diff = tf.tidy(() =>
      tf
        .max(
          tf.abs(
            tf.sub(
              generator.predict([z, labels]) as tf.Tensor,
              loaded.model.predict([z, labels]) as tf.Tensor,
            ),
          ),
        )
        .dataSync(),
    );
    expect(diff[0]).toBe(0);
    tf.dispose([z, labels]);
    [generator, discriminator, loaded.model].forEach((m) => m.dispose());
  });

  it('a training step advances each power iteration exactly once, from the pre-update kernel', () => {
    const config = parseTrainConfig({ ...avatar, dataset: { kind: 'emoji', size: 32 } });
    const state = createTrainingState(config, [32, 32, 3], 3);
    const pixels = Uint8Array.from({ length: 4 * 32 * 32 * 3 }, (_, i) => (i * 37) % 256);
    const data = inMemoryImages({ pixels, shape: [32, 32, 3], labels: [0, 1, 2, 0] });
    // The projection's class embedding: kernel [3, 128] (rank 3: one iteration does not converge,
    // so a second one would show), u [1, 128], v [1, 3].
    const layer = state.discriminator.layers.find(
      (l) => l instanceof SpectralNormDense && l.getConfig()['units'] === 128,
    );
    const weights = layer?.weights ?? [];
    expect(weights.map((w) => w.shape)).toEqual([
      [3, 128],
      [1, 128],
      [1, 3],
    ]);
    const [kernel, u] = weights.map((w) => w.read());
    const normalize = (x: tf.Tensor) => tf.div(x, tf.norm(x));
    const expected = tf.tidy(() => {
      const w = kernel as tf.Tensor2D;
      const v = normalize(tf.matMul(u as tf.Tensor2D, w, false, true)) as tf.Tensor2D;
      return [normalize(tf.matMul(v, w)), v].map((t) => Array.from(t.dataSync()));
    });
    trainStep(state, data);
    const after = weights.slice(1).map((w) => Array.from(w.read().dataSync()));
    expect(after).toEqual(expected.map((t) => t.map((x): unknown => expect.closeTo(x, 5))));
    disposeState(state);
  }, 60_000);

  it('refuses an unlabelled dataset', async () => {
    const unlabelled = inMemoryImages({
      pixels: new Uint8Array(2 * 64 * 64 * 3),
      shape: [64, 64, 3],
    });
    await expect(
      train(
        { dataset: { kind: 'emoji' }, model: 'resnet-cgan', steps: 1 },
        { dataset: unlabelled },
      ),
    ).rejects.toThrow(/resnet-cgan needs a labelled dataset with at least 2 classes, got 0/);
  });
});
