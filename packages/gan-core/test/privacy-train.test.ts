import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { latestCheckpoint, readCheckpoint } from '../src/checkpoint/index.js';
import type { ConfigError } from '../src/config.js';
import { parseTrainConfig, type TrainConfigInput } from '../src/config.js';
import { buildGan } from '../src/models/index.js';
import {
  clippedGradientSum,
  crossSampleLayers,
  noisyMean,
  poissonSample,
} from '../src/privacy/dp-sgd.js';
import { perExampleClippedSum } from '../src/privacy/per-example.js';
import { newPrivacyKey, secretNormals } from '../src/privacy/secret-stream.js';
import { exportPrivacy, planPrivacy } from '../src/privacy/plan.js';
import { dpSgdEpsilon } from '../src/privacy/rdp.js';
import { train } from '../src/train/index.js';
import type { StepEvent } from '../src/train/types.js';
import { mnist, setupBackend, tempDir } from './gan-helpers.js';

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await setupBackend();
  ({ dir: root, cleanup } = await tempDir('privacy'));
});
afterAll(() => cleanup());

const seeds = { nextSeed: () => 7 };

/** A real MLP discriminator, real MNIST digits and a per-example loss on them. */
async function discriminatorAndDigits(n: number) {
  const { discriminator } = buildGan('mlp', {
    shape: [28, 28, 1],
    latentDim: 8,
    numClasses: 0,
    seeds,
  });
  const data = await mnist();
  const { images } = data.examples?.(Int32Array.from({ length: n }, (_, i) => i)) ?? {
    images: null,
  };
  if (images === null) throw new Error('mnist source reads no examples');
  const vars = discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
  const lossOf = (x: tf.Tensor4D) => (i: number) =>
    tf.tidy(() => {
      const one = tf.slice(x, [i, 0, 0, 0], [1, 28, 28, 1]);
      // Scaled so that unclipped gradients are far above the clip norm.
      return tf.mul<tf.Scalar>(
        tf.sum(discriminator.apply(one, { training: true }) as tf.Tensor),
        100,
      );
    });
  return { discriminator, images, vars, lossOf };
}

function flatNorm(tensors: readonly tf.Tensor[]): number {
  return Math.sqrt(
    tensors.reduce((s, t) => s + (tf.tidy(() => tf.sum(tf.square(t)).dataSync()[0]) ?? 0), 0),
  );
}

/**
 * float32 slack on the bounds: the difference of two sums of clipped gradients over ~276k weights
 * carries rounding of ~1e-4 of C (1.09e-4 seen in CI), far below what the bound separates (an
 * unclipped example moves the sum by over 10 C).
 */
const ROUNDING = 1e-3;

describe('per-example clipping', () => {
  it('bounds what one example adds (add/remove: C) or changes (replace: 2C)', async () => {
    const C = 0.5;
    const { discriminator, images, vars, lossOf } = await discriminatorAndDigits(9);
    const first8 = tf.slice(images, [0, 0, 0, 0], [8, 28, 28, 1]);
    // Replace example 0 by example 8 (a different digit).
    const replaced = tf.concat([
      tf.slice(images, [8, 0, 0, 0], [1, 28, 28, 1]),
      tf.slice(images, [1, 0, 0, 0], [7, 28, 28, 1]),
    ]);
    const base = clippedGradientSum(vars, 8, lossOf(first8), C);
    const added = clippedGradientSum(vars, 9, lossOf(images), C);
    const swapped = clippedGradientSum(vars, 8, lossOf(replaced), C);
    const diff = (a: tf.Tensor[], b: tf.Tensor[]) =>
      flatNorm(a.map((t, i) => tf.sub(t, b[i] as tf.Tensor)));
    expect(diff(added.sums, base.sums)).toBeLessThanOrEqual(C * (1 + ROUNDING));
    expect(diff(swapped.sums, base.sums)).toBeLessThanOrEqual(2 * C * (1 + ROUNDING));
    // The bound is the clipping's doing: unclipped, one example moves the sum much further.
    const raw = clippedGradientSum(
      vars,
      1,
      lossOf(tf.slice(images, [8, 0, 0, 0], [1, 28, 28, 1])),
      1e9,
    );
    expect(flatNorm(raw.sums)).toBeGreaterThan(10 * C);
    // Each clipped example contributes exactly C when its gradient is larger.
    expect(diff(added.sums, base.sums)).toBeGreaterThan(C * 0.999);
    // The same bounds hold for the one-pass path the trainer takes for this discriminator.
    const onePass = (x: tf.Tensor4D) =>
      perExampleClippedSum(
        discriminator,
        vars,
        x.shape[0],
        () =>
          tf.mul<tf.Scalar>(tf.sum(discriminator.apply(x, { training: true }) as tf.Tensor), 100),
        C,
      ).sums;
    const [base1, added1, swapped1] = [onePass(first8), onePass(images), onePass(replaced)];
    expect(diff(added1, base1)).toBeLessThanOrEqual(C * (1 + ROUNDING));
    expect(diff(added1, base1)).toBeGreaterThan(C * 0.999);
    expect(diff(swapped1, base1)).toBeLessThanOrEqual(2 * C * (1 + ROUNDING));
    tf.dispose([...base1, ...added1, ...swapped1]);
    tf.dispose([
      first8,
      replaced,
      images,
      ...base.sums,
      ...added.sums,
      ...swapped.sums,
      ...raw.sums,
    ]);
    discriminator.dispose();
  }, 60_000);
});

describe('noise', () => {
  it('has std σC / expected batch and mean 0, and is drawn from the run key: the same per (key, update), new per key and update', () => {
    const key = newPrivacyKey();
    const sums = [tf.zeros([200, 250]), tf.zeros([50_000])];
    const [a, b] = noisyMean(sums, 3, 2, key, 11);
    const values = Float64Array.from([
      ...(a as tf.Tensor).dataSync(),
      ...(b as tf.Tensor).dataSync(),
    ]);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(std).toBeGreaterThan(1.5 * 0.99);
    expect(std).toBeLessThan(1.5 * 1.01);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    // The two tensors of one update get different draws.
    expect((b as tf.Tensor).dataSync()[0]).not.toBe((a as tf.Tensor).dataSync()[0]);
    const first = (t: tf.Tensor[]) => Array.from((t[0] as tf.Tensor).dataSync().slice(0, 5));
    const again = noisyMean(sums, 3, 2, Uint8Array.from(key), 11);
    expect(first(again)).toEqual(first([a as tf.Tensor]));
    const nextUpdate = noisyMean(sums, 3, 2, key, 12);
    const otherKey = noisyMean(sums, 3, 2, newPrivacyKey(), 11);
    expect(first(nextUpdate)).not.toEqual(first([a as tf.Tensor]));
    expect(first(otherKey)).not.toEqual(first([a as tf.Tensor]));
    tf.dispose([...sums, a, b, ...again, ...nextUpdate, ...otherKey]);
  });

  it('refuses a key of the wrong length', () => {
    expect(() => secretNormals(4, new Uint8Array(16), 0, 0)).toThrow(/32 bytes/);
  });
});

describe('Poisson sampling', () => {
  it('includes each example with the sampling rate, the same per (key, update), new per update and key', () => {
    const key = newPrivacyKey();
    const sizes = Array.from({ length: 200 }, (_, t) => poissonSample(10_000, 0.01, key, t).length);
    const mean = sizes.reduce((s, v) => s + v, 0) / sizes.length;
    expect(mean).toBeGreaterThan(95);
    expect(mean).toBeLessThan(105);
    expect(new Set(sizes).size).toBeGreaterThan(10); // the size varies: Poisson, not fixed
    const picked = Array.from(poissonSample(10_000, 0.01, key, 5));
    expect(Array.from(poissonSample(10_000, 0.01, key, 5))).toEqual(picked);
    expect(Array.from(poissonSample(10_000, 0.01, key, 6))).not.toEqual(picked);
    // Nobody without the key can draw the sample: the public seed does not determine it.
    expect(Array.from(poissonSample(10_000, 0.01, newPrivacyKey(), 5))).not.toEqual(picked);
  });
});

describe('privacy config', () => {
  const base = { dataset: { kind: 'mnist' }, model: 'mlp' } as const;
  const issues = (input: unknown): string[] => {
    try {
      parseTrainConfig(input);
    } catch (err) {
      return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  };

  it('refuses incoherent blocks by name', () => {
    expect(issues({ ...base, privacy: {} })).toEqual([
      expect.stringMatching(/^privacy.noiseMultiplier: .*noiseMultiplier or privacy.targetEpsilon/),
    ]);
    expect(issues({ ...base, loss: 'wgan-gp', privacy: { noiseMultiplier: 1 } })[0]).toMatch(
      /^loss: private training supports/,
    );
    expect(issues({ ...base, r1Gamma: 1, privacy: { noiseMultiplier: 1 } })[0]).toMatch(
      /^r1Gamma:/,
    );
    expect(issues({ ...base, diffAugment: 'color', privacy: { noiseMultiplier: 1 } })[0]).toMatch(
      /^diffAugment:/,
    );
    expect(issues({ ...base, privacy: { noiseMultiplier: 1, clipNorm: -1 } })[0]).toMatch(
      /privacy.clipNorm must be between/,
    );
    expect(issues({ ...base, privacy: { noiseMultiplier: 1, sigma: 2 } })[0]).toMatch(/sigma/);
    expect(issues({ ...base, privacy: { targetEpsilon: 10 } })).toEqual([]);
  });

  it('refuses δ not below 1/N and batches as large as the dataset; derives σ from a target ε', () => {
    const config = parseTrainConfig({
      ...base,
      steps: 1000,
      batchSize: 64,
      privacy: { targetEpsilon: 10, delta: 1e-3 },
    });
    expect(() => planPrivacy(config, 5000)).toThrow(
      /privacy.delta 0.001 must be below 1 \/ dataset size = 0.000200/,
    );
    expect(() => planPrivacy({ ...config, batchSize: 5000 }, 5000)).toThrow(
      /batchSize 5000 must be below/,
    );
    const plan = planPrivacy(
      parseTrainConfig({ ...base, steps: 1000, batchSize: 64, privacy: { targetEpsilon: 10 } }),
      60_000,
    );
    expect(plan?.derived).toBe(true);
    const eps = dpSgdEpsilon({
      sampleRate: 64 / 60_000,
      noiseMultiplier: plan?.noiseMultiplier ?? 0,
      steps: 1000,
      delta: 1e-5,
    }).epsilon;
    expect(eps).toBeLessThanOrEqual(10);
    expect(eps).toBeGreaterThan(9.9);
  });

  it('finds batch normalisation in a discriminator; the project discriminators have none', () => {
    const bn = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 4 }),
        tf.layers.batchNormalization(),
        tf.layers.dense({ units: 1 }),
      ],
    });
    expect(crossSampleLayers(bn)).toEqual([expect.stringMatching(/BatchNormalization/)]);
    bn.dispose();
    for (const model of ['mlp', 'dcgan', 'cdcgan'] as const) {
      const { generator, discriminator } = buildGan(model, {
        shape: [28, 28, 1],
        latentDim: 8,
        numClasses: 10,
        seeds,
      });
      expect(crossSampleLayers(discriminator)).toEqual([]);
      expect(crossSampleLayers(generator).length).toBeGreaterThan(0); // the finder does find them
      generator.dispose();
      discriminator.dispose();
    }
  });
});

describe('private training', () => {
  const config: TrainConfigInput = {
    dataset: { kind: 'mnist' },
    model: 'mlp',
    latentDim: 16,
    batchSize: 16,
    steps: 4,
    checkpointEvery: 2,
    sampleEvery: 0,
    privacy: { noiseMultiplier: 1.2, clipNorm: 1, delta: 1e-4 },
  };

  async function run(input: TrainConfigInput, dir: string, resumeFrom?: string) {
    const events: StepEvent[] = [];
    const result = await train(input, {
      dataset: await mnist(),
      checkpointDir: dir,
      callbacks: { onStep: (e) => void events.push(e) },
      ...(resumeFrom === undefined ? {} : { resumeFrom }),
    });
    return { events, result };
  }

  it('reports ε after every step as the accountant computes it, and resumes exactly with it', async () => {
    const whole = await run(config, join(root, 'whole'));
    expect(whole.result.status).toBe('completed');
    const eps = whole.events.map((e) => e.privacy?.epsilon ?? NaN);
    eps.forEach((e, i) => {
      expect(e).toBeCloseTo(
        dpSgdEpsilon({ sampleRate: 16 / 512, noiseMultiplier: 1.2, steps: i + 1, delta: 1e-4 })
          .epsilon,
        10,
      );
    });
    expect(whole.result.privacy?.epsilon).toBe(eps[3]);
    const manifest = await readCheckpoint(join(root, 'whole', 'step-000000002'));
    expect(manifest.privacy).toMatchObject({
      noisedSteps: 2,
      noiseMultiplier: 1.2,
      epsilon: eps[1],
    });
    // The secret of the run's sampling and noise is kept with the checkpoint, never exported.
    expect(manifest.privacyKey).toHaveLength(32);
    expect(manifest.privacy?.key?.file).toBe('privacy-key.bin');
    expect(exportPrivacy(manifest.privacy!)).not.toHaveProperty('key');

    const resumed = await run(
      config,
      join(root, 'whole-resumed'),
      join(root, 'whole', 'step-000000002'),
    );
    expect(resumed.events.map((e) => e.step)).toEqual([3, 4]);
    resumed.events.forEach((e, i) => {
      const original = whole.events[i + 2] as StepEvent;
      expect(e.privacy?.epsilon).toBe(original.privacy?.epsilon);
      expect(e.losses.d).toBeCloseTo(original.losses.d ?? NaN, 5);
      expect(e.losses.g).toBeCloseTo(original.losses.g ?? NaN, 5);
    });
  }, 120_000);

  it('refuses to resume a DP-SGD checkpoint without its key (sampling and noise from the public seed)', async () => {
    const from = join(root, 'whole', 'step-000000002');
    const keyless = join(root, 'keyless', 'step-000000002');
    await cp(from, keyless, { recursive: true });
    const manifestPath = join(keyless, 'manifest.json');
    const stored = JSON.parse(await readFile(manifestPath, 'utf8')) as {
      privacy: Record<string, unknown>;
    };
    delete stored.privacy.key;
    await writeFile(manifestPath, JSON.stringify(stored));
    await rm(join(keyless, 'privacy-key.bin'));
    await expect(run(config, join(root, 'keyless-resumed'), keyless)).rejects.toThrow(
      /no privacy key \(privacy-key.bin\).*public seed/,
    );
  }, 120_000);

  it('stops before passing the target ε and says why', async () => {
    const target =
      dpSgdEpsilon({ sampleRate: 16 / 512, noiseMultiplier: 1.2, steps: 2, delta: 1e-4 }).epsilon *
      1.0001;
    const { events, result } = await run(
      { ...config, steps: 10, privacy: { ...config.privacy, targetEpsilon: target } },
      join(root, 'budget'),
    );
    expect(events).toHaveLength(2);
    expect(result.status).toBe('completed');
    expect(result.reason).toMatch(/privacy budget: another step would spend ε .* > target/);
    expect(result.privacy?.epsilon).toBeLessThanOrEqual(target);
    expect(await latestCheckpoint(join(root, 'budget'))).toMatch(/step-000000002$/);
  }, 120_000);

  it("with onTarget 'warn' trains on past the target and warns once", async () => {
    const warnings: string[] = [];
    const target = dpSgdEpsilon({
      sampleRate: 16 / 512,
      noiseMultiplier: 1.2,
      steps: 1,
      delta: 1e-4,
    }).epsilon;
    const result = await train(
      {
        ...config,
        steps: 3,
        privacy: { ...config.privacy, targetEpsilon: target, onTarget: 'warn' },
      },
      {
        dataset: await mnist(),
        logger: { info: () => undefined, warn: (msg: string) => void warnings.push(msg) },
      },
    );
    expect(result.step).toBe(3);
    expect(result.privacy?.epsilon).toBeGreaterThan(target);
    expect(warnings).toEqual(['privacy budget passed; training on (privacy.onTarget is warn)']);
  }, 120_000);

  it('refuses a resume whose privacy block differs', async () => {
    await expect(
      run(
        { ...config, privacy: { ...config.privacy, noiseMultiplier: 2 } },
        join(root, 'other'),
        join(root, 'whole', 'step-000000002'),
      ),
    ).rejects.toThrow(/privacy differ from the run being resumed/);
  }, 60_000);
});
