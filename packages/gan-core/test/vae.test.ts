/**
 * The VAE and conditional VAE through the GANs' train(): exact resume, export and reload, the ELBO
 * improving on real MNIST, per-class decoding. Short runs on 512 real digits.
 */
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generatorFromCheckpoint, readCheckpoint } from '../src/checkpoint/index.js';
import { configMismatches } from '../src/checkpoint/read.js';
import { parseTrainConfig, type TrainConfigInput } from '../src/config.js';
import { exportGenerator, loadGenerator } from '../src/export/index.js';
import { generate, sample } from '../src/sampling/index.js';
import { train } from '../src/train/trainer.js';
import type { SamplesEvent } from '../src/train/types.js';
import { collectLosses, firstDifference, mnist, setupBackend, tempDir } from './gan-helpers.js';

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await setupBackend();
  ({ dir: root, cleanup } = await tempDir('vae'));
});
afterAll(() => cleanup());

/** Trains `config` on 512 real MNIST digits, checkpointing into `dir`; returns the per-step losses. */
async function run(config: TrainConfigInput, dir: string, resumeFrom?: string) {
  const { losses, onStep } = collectLosses();
  const grids: SamplesEvent[] = [];
  const result = await train(config, {
    dataset: await mnist(),
    checkpointDir: dir,
    callbacks: {
      onStep,
      onSamples: (e) => void grids.push({ ...e, images: e.images.clone() }),
    },
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
  });
  return { losses, result, grids };
}

const mean = (xs: readonly (number | undefined)[]): number =>
  xs.reduce<number>((s, x) => s + (x ?? NaN), 0) / xs.length;

describe('VAE config', () => {
  it('accepts vae/cvae with β and refuses the adversarial settings it would ignore', () => {
    expect(parseTrainConfig({ dataset: { kind: 'mnist' }, model: 'vae' }).beta).toBe(1);
    expect(() =>
      parseTrainConfig({ dataset: { kind: 'mnist' }, model: 'vae', loss: 'hinge', r1Gamma: 1 }),
    ).toThrow(/loss: model vae trains on the ELBO[\s\S]*r1Gamma: model vae/);
    // β shapes the trajectory; checkpoints written before it existed trained with β = 1.
    const config = parseTrainConfig({ dataset: { kind: 'mnist' }, model: 'vae' });
    const { beta: _, ...older } = config;
    expect(configMismatches(older as typeof config, config)).toEqual([]);
    expect(configMismatches(config, { ...config, beta: 2 })).toEqual(['beta']);
    expect(() => parseTrainConfig({ dataset: { kind: 'mnist' }, model: 'cvae', beta: -1 })).toThrow(
      /beta must be between 0 and 1000/,
    );
  });
});

describe('VAE training', () => {
  it('resumes bit for bit, and its decoder exports and reloads with identical outputs', async () => {
    const config = {
      dataset: { kind: 'mnist' },
      model: 'vae',
      latentDim: 8,
      beta: 0.5,
      batchSize: 8,
      steps: 6,
      checkpointEvery: 3,
      sampleEvery: 6,
      sampleCount: 4,
    } as const;
    const a = await run(config, join(root, 'a'));
    expect(a.result).toMatchObject({ status: 'completed', step: 6 });
    for (const losses of a.losses) {
      expect(Object.keys(losses).sort()).toEqual(['elbo', 'kl', 'loss', 'recon']);
      expect(losses.elbo).toBeCloseTo(-((losses.recon ?? NaN) + (losses.kl ?? NaN)), 3);
      expect(losses.loss).toBeCloseTo((losses.recon ?? NaN) + 0.5 * (losses.kl ?? NaN), 3);
    }
    expect(a.grids.map((g) => [g.step, g.kind, g.images.shape])).toEqual([
      [6, 'grid', [4, 28, 28, 1]],
    ]);

    const b = await run(config, join(root, 'b'), join(root, 'a', 'step-000000003'));
    expect(b.result).toMatchObject({ status: 'completed', step: 6 });
    // Exact: the same numbers, not merely close ones.
    expect(b.losses).toEqual(a.losses.slice(3));
    expect(Array.from(b.grids[0]?.images.dataSync() ?? [])).toEqual(
      Array.from(a.grids[0]?.images.dataSync() ?? []),
    );
    tf.dispose([...a.grids, ...b.grids].map((g) => g.images));
    const [wa, wb] = await Promise.all(
      [a, b].map((r) => readCheckpoint(r.result.checkpoint ?? '')),
    );
    // Values and shapes (tensor names carry per-process layer counters, so they differ).
    for (const group of ['generator', 'discriminator', 'optimizerG', 'optimizerD'] as const) {
      const [ta, tb] = [wa, wb].map((d) => d?.groups[group].tensors ?? []);
      expect(
        tb?.map((t) => t.shape),
        group,
      ).toEqual(ta?.map((t) => t.shape));
      ta?.forEach((t, i) =>
        expect(firstDifference(tb?.[i]?.values ?? [], t.values), `${group} ${i}`).toBeNull(),
      );
    }
    expect(wb?.rng).toEqual(wa?.rng);

    // The decoder is the exported "generator": same format the playground loads.
    const decoder = await generatorFromCheckpoint(a.result.checkpoint ?? '');
    const metadata = await exportGenerator(decoder, join(root, 'export'), { step: 6 });
    expect(metadata).toMatchObject({ latentDim: 8, numClasses: 0, imageShape: [28, 28, 1] });
    expect(metadata.range).toEqual([-1, 1]);
    const { model: loaded } = await loadGenerator(join(root, 'export'));
    const decoderWeights = decoder.getWeights();
    loaded
      .getWeights()
      .forEach((w, i) =>
        expect(
          firstDifference(w.dataSync(), decoderWeights[i]?.dataSync() ?? []),
          `weight ${i}`,
        ).toBeNull(),
      );
    expect(loaded.getWeights()).toHaveLength(decoderWeights.length);
    const [x, y] = [decoder, loaded].map((m) => sample(m, { n: 3, seed: 7 }));
    expect(Array.from(y?.dataSync() ?? [])).toEqual(Array.from(x?.dataSync() ?? []));
    tf.dispose([x, y] as tf.Tensor[]);
    decoder.dispose();
    loaded.dispose();
    // Three short runs and an export: 129 s in CI's niced lane on a slow 2-core machine.
  }, 300_000);

  it('improves the ELBO on real MNIST within a short run', async () => {
    const { losses, result } = await run(
      {
        dataset: { kind: 'mnist' },
        model: 'vae',
        latentDim: 16,
        batchSize: 16,
        steps: 30,
        lrG: 1e-3,
        lrD: 1e-3,
        beta1: 0.9,
        sampleEvery: 0,
        checkpointEvery: 0,
      },
      join(root, 'elbo'),
    );
    expect(result.status).toBe('completed');
    const first = mean(losses.slice(0, 5).map((l) => l.elbo));
    const last = mean(losses.slice(-5).map((l) => l.elbo));
    // ELBO is negative nats per image; a decoder that has learnt digits at least halves its loss.
    expect(last).toBeGreaterThan(first / 2);
    expect(mean(losses.slice(-5).map((l) => l.kl))).toBeGreaterThan(0);
  }, 180_000);
});

describe('conditional VAE', () => {
  it("decodes each class label towards that class: the label's effect matches the class's", async () => {
    const { result } = await run(
      {
        dataset: { kind: 'mnist' },
        model: 'cvae',
        latentDim: 16,
        batchSize: 16,
        steps: 20,
        lrG: 1e-3,
        lrD: 1e-3,
        beta1: 0.9,
        emaDecay: 0,
        sampleEvery: 0,
        checkpointEvery: 0,
      },
      join(root, 'cvae'),
    );
    expect(result.status).toBe('completed');
    const data = await mnist();
    const all = data.batch(0, data.size);
    const labels = all.labels ?? new Int32Array();
    const classMeans = tf.tidy(() =>
      tf.stack(
        Array.from({ length: 10 }, (_, c) => {
          const rows = Array.from(labels.keys()).filter((i) => labels[i] === c);
          return tf.mean(tf.gather(all.images, rows), 0);
        }),
      ),
    );
    const decoder = await generatorFromCheckpoint(result.checkpoint ?? '');
    // The prior's mode z = 0 with each label: the decoder's "typical" digit of that class.
    const decoded = generate(
      decoder,
      tf.zeros([10, 16]),
      Array.from({ length: 10 }, (_, c) => c),
    );
    // What the label changes (decoded image minus the average over labels) against what the class
    // changes (class mean minus the mean of the class means): cosine similarity, best match per label.
    const nearest = tf.tidy(() => {
      const centred = (x: tf.Tensor): tf.Tensor2D => {
        const flat = tf.reshape<tf.Rank.R2>(x, [10, -1]);
        const c = tf.sub(flat, tf.mean(flat, 0, true));
        return tf.div<tf.Tensor2D>(c, tf.norm(c, 2, 1, true));
      };
      const similarity = tf.matMul(centred(decoded), centred(classMeans), false, true);
      return Array.from(tf.argMax(similarity, 1).dataSync());
    });
    expect(nearest).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    tf.dispose([all.images, classMeans, decoded]);
    decoder.dispose();
  }, 180_000);
});
