import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  buildGan,
  fixedSeedSource,
  ModelShapeError,
  type ImageShape,
} from '../src/models/index.js';
import { setupBackend } from './gan-helpers.js';

beforeAll(setupBackend);

const trainableCount = (m: tf.LayersModel): number =>
  m.trainableWeights.reduce((n, w) => n + w.shape.reduce((a, b) => (a ?? 1) * (b ?? 1), 1)!, 0);

describe('model builders', () => {
  it('MLP matches torch-reference.py parameter for parameter (28x28x1)', () => {
    const { generator, discriminator } = buildGan('mlp', { shape: [28, 28, 1], latentDim: 100 });
    // G: Linear 100->256, BN 256, Linear 256->512, BN 512, Linear 512->784; D: 784->512->256->1.
    expect(trainableCount(generator)).toBe(
      100 * 256 + 256 + 512 + 256 * 512 + 512 + 1024 + 512 * 784 + 784,
    );
    expect(trainableCount(discriminator)).toBe(784 * 512 + 512 + 512 * 256 + 256 + 257);
    generator.dispose();
    discriminator.dispose();
  });

  it('DCGAN matches the TensorFlow tutorial / torch-reference.py (28x28x1)', () => {
    const { generator, discriminator } = buildGan('dcgan', { shape: [28, 28, 1], latentDim: 100 });
    // G: Linear 100->12544 (no bias), BN, ConvT 256->128 k5, BN, ConvT 128->64 k5, BN, ConvT 64->1 k5.
    expect(trainableCount(generator)).toBe(
      100 * 12544 + 2 * 12544 + 256 * 128 * 25 + 256 + 128 * 64 * 25 + 128 + 64 * 25,
    );
    // D: Conv 1->64 k5, Conv 64->128 k5, Linear 6272->1.
    expect(trainableCount(discriminator)).toBe(25 * 64 + 64 + 64 * 128 * 25 + 128 + 6272 + 1);
    generator.dispose();
    discriminator.dispose();
  });

  it("generatorWidth and discriminatorWidth multiply each DCGAN network's channels", () => {
    const standard = buildGan('dcgan', { shape: [28, 28, 1], latentDim: 100 });
    const narrow = buildGan('dcgan', { shape: [28, 28, 1], latentDim: 100, generatorWidth: 0.5 });
    // G: Linear 100->6272 (no bias), BN, ConvT 128->64 k5, BN, ConvT 64->32 k5, BN, ConvT 32->1 k5.
    expect(trainableCount(narrow.generator)).toBe(
      100 * 6272 + 2 * 6272 + 128 * 64 * 25 + 128 + 64 * 32 * 25 + 64 + 32 * 25,
    );
    expect(trainableCount(narrow.discriminator)).toBe(trainableCount(standard.discriminator));
    const wideD = buildGan('dcgan', { shape: [28, 28, 1], latentDim: 100, discriminatorWidth: 2 });
    // D: Conv 1->128 k5, Conv 128->256 k5, Linear 12544->1.
    expect(trainableCount(wideD.discriminator)).toBe(
      25 * 128 + 128 + 128 * 256 * 25 + 256 + 12544 + 1,
    );
    expect(trainableCount(wideD.generator)).toBe(trainableCount(standard.generator));
    const conditional = buildGan('cdcgan', {
      shape: [32, 32, 3],
      latentDim: 16,
      numClasses: 10,
      generatorWidth: 0.25,
    });
    const channels = conditional.generator.layers
      .filter((l) => l.getClassName() === 'Conv2DTranspose')
      .map((l) => (l.outputShape as number[])[3]);
    expect(channels).toEqual([32, 16, 3]);
    const encoder = buildGan('vae', { shape: [28, 28, 1], latentDim: 8, discriminatorWidth: 0.5 });
    expect(trainableCount(encoder.discriminator)).toBe(
      25 * 32 + 32 + 32 * 64 * 25 + 64 + 3136 * 16 + 16,
    );
    for (const m of [standard, narrow, wideD, conditional, encoder]) {
      m.generator.dispose();
      m.discriminator.dispose();
    }
    expect(() =>
      buildGan('mlp', { shape: [28, 28, 1], latentDim: 8, discriminatorWidth: 0.5 }),
    ).toThrow(/discriminatorWidth scales the DCGAN networks .*model mlp has none/);
    expect(() =>
      buildGan('dcgan', { shape: [28, 28, 1], latentDim: 8, generatorWidth: 0 }),
    ).toThrow(/generatorWidth must be a positive number \(got 0\)/);
  });

  it.each<[string, ImageShape]>([
    ['mlp', [32, 32, 3]],
    ['dcgan', [28, 28, 1]],
    ['dcgan', [32, 32, 3]],
    ['dcgan', [64, 64, 3]],
    ['cdcgan', [28, 28, 1]],
    ['cdcgan', [32, 32, 3]],
  ])('%s sizes itself for %j', (kind, shape) => {
    const conditional = kind === 'cdcgan';
    // numClasses would make the dcgan the self-conditioned one (test/self-conditioning.test.ts).
    const models = buildGan(kind as 'mlp', {
      shape,
      latentDim: 16,
      ...(conditional ? { numClasses: 10 } : {}),
    });
    tf.tidy(() => {
      const z = tf.randomNormal([2, 16]);
      const labels = tf.oneHot([3, 7], 10).toFloat();
      const images = models.generator.apply(conditional ? [z, labels] : z) as tf.Tensor;
      expect(images.shape).toEqual([2, ...shape]);
      const max = images.abs().max().dataSync()[0] ?? 2;
      expect(max).toBeLessThanOrEqual(1);
      const logits = models.discriminator.apply(
        conditional ? [images, labels] : images,
      ) as tf.Tensor;
      expect(logits.shape).toEqual([2, 1]);
    });
    models.generator.dispose();
    models.discriminator.dispose();
  });

  it('refuses unsupported shapes and conditional models without classes, naming the problem', () => {
    expect(() => buildGan('dcgan', { shape: [48, 48, 3], latentDim: 100 })).toThrow(
      ModelShapeError,
    );
    expect(() => buildGan('dcgan', { shape: [48, 48, 3], latentDim: 100 })).toThrow(
      /unsupported image shape 48x48x3: supported shapes are 28x28x1, 32x32x1, 64x64x1, 28x28x3/,
    );
    expect(() => buildGan('mlp', { shape: [28, 28, 2], latentDim: 100 })).toThrow(/28x28x2/);
    expect(() => buildGan('cdcgan', { shape: [28, 28, 1], latentDim: 100 })).toThrow(
      /cdcgan needs numClasses/,
    );
    expect(() => buildGan('cdcgan', { shape: [28, 28, 1], latentDim: 100, numClasses: 1 })).toThrow(
      /at least 2 classes, got 1/,
    );
  });

  it('DCGAN discriminator dropout draws a fresh seeded mask per training call, none at inference', () => {
    const { generator, discriminator } = buildGan('dcgan', {
      shape: [28, 28, 1],
      latentDim: 8,
      seeds: fixedSeedSource(5),
    });
    const { generator: replayG, discriminator: replay } = buildGan('dcgan', {
      shape: [28, 28, 1],
      latentDim: 8,
      seeds: fixedSeedSource(5),
    });
    replay.setWeights(discriminator.getWeights());
    tf.tidy(() => {
      const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 3);
      const run = (m: tf.LayersModel, training: boolean) =>
        Array.from((m.apply(x, { training }) as tf.Tensor).dataSync());
      const first = run(discriminator, true);
      const second = run(discriminator, true);
      expect(second).not.toEqual(first);
      // The same seed source replays the same masks (what makes a resumed run identical).
      expect(run(replay, true)).toEqual(first);
      expect(run(discriminator, false)).toEqual(run(discriminator, false));
    });
    [generator, discriminator, replayG, replay].forEach((m) => m.dispose());
  });
});
