import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readCheckpoint } from '../src/checkpoint/index.js';
import { ConfigError, parseTrainConfig, type TrainConfigInput } from '../src/config.js';
import { exportGenerator, loadGenerator } from '../src/export/generator.js';
import { generatorFromCheckpoint } from '../src/index.js';
import { meanEmbeddingEpsilon } from '../src/privacy/mean-embedding.js';
import { exportPrivacy } from '../src/privacy/plan.js';
import type { TrainingImages } from '../src/train/data.js';
import { train } from '../src/train/index.js';
import type { StepEvent } from '../src/train/types.js';
import { mnist, setupBackend, tempDir } from './gan-helpers.js';

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await setupBackend();
  ({ dir: root, cleanup } = await tempDir('merf'));
});
afterAll(() => cleanup());

const config: TrainConfigInput = {
  dataset: { kind: 'mnist' },
  model: 'cmlp',
  latentDim: 16,
  batchSize: 40,
  steps: 4,
  checkpointEvery: 2,
  sampleEvery: 0,
  privacy: {
    mechanism: 'mean-embedding',
    noiseMultiplier: 2,
    delta: 1e-4,
    features: 300,
    bandwidth: 20,
  },
};

/** The real digits, with a counter of the reads of private examples. */
async function countingDigits(): Promise<{ data: TrainingImages; reads: () => number }> {
  const source = await mnist();
  let reads = 0;
  const data: TrainingImages = {
    shape: source.shape,
    size: source.size,
    numClasses: source.numClasses,
    batch: (index, size) => {
      reads += size;
      return source.batch(index, size);
    },
    examples: (indices) => {
      reads += indices.length;
      if (source.examples === undefined) throw new Error('no examples');
      return source.examples(indices);
    },
  };
  return { data, reads: () => reads };
}

async function run(dir: string, resumeFrom?: string) {
  const { data, reads } = await countingDigits();
  const events: StepEvent[] = [];
  const result = await train(config, {
    dataset: data,
    checkpointDir: dir,
    callbacks: { onStep: (e) => void events.push(e) },
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
  });
  return { events, result, reads: reads() };
}

describe('private training by mean embedding (DP-MERF)', () => {
  it('releases once, records a constant ε, and resumes exactly from the stored release', async () => {
    const whole = await run(join(root, 'whole'));
    expect(whole.result.status).toBe('completed');
    // The release read every example once; the generator steps read none.
    expect(whole.reads).toBe(512);
    const epsilon = meanEmbeddingEpsilon(2, 1e-4);
    expect(whole.events.map((e) => e.privacy?.epsilon)).toEqual([
      epsilon,
      epsilon,
      epsilon,
      epsilon,
    ]);
    expect(whole.events.every((e) => Number.isFinite(e.losses.mmd))).toBe(true);
    expect(whole.result.privacy).toMatchObject({
      mechanism: 'dp-merf',
      noisedSteps: 1,
      sampleRate: 1,
      clipNorm: Math.SQRT2,
      features: 300,
      bandwidth: 20,
    });

    // Saved at step 0, before any training, with the release beside it.
    const first = await readCheckpoint(join(root, 'whole', 'step-000000000'));
    expect(first.privacy).toMatchObject({ mechanism: 'mean-embedding', epsilon, noisedSteps: 1 });
    expect(first.release).toHaveLength(10 * (2 * 300 + 1));
    const atTwo = await readCheckpoint(join(root, 'whole', 'step-000000002'));
    expect(Array.from(atTwo.release ?? [])).toEqual(Array.from(first.release ?? []));

    const resumed = await run(join(root, 'resumed'), join(root, 'whole', 'step-000000002'));
    expect(resumed.reads).toBe(0); // the private data is not queried again
    expect(resumed.events.map((e) => e.step)).toEqual([3, 4]);
    resumed.events.forEach((e, i) => {
      const original = whole.events[i + 2] as StepEvent;
      expect(e.privacy?.epsilon).toBe(original.privacy?.epsilon);
      // Equal up to float32 summation order (the native kernels' threads), as DP-SGD's resume.
      expect(Math.abs((e.losses.mmd ?? NaN) / (original.losses.mmd ?? NaN) - 1)).toBeLessThan(1e-5);
    });
    const a = await generatorFromCheckpoint(whole.result.checkpoint ?? '');
    // Exports name the mechanism and carry (ε, δ), without the checkpoint-only release entry.
    const final = await readCheckpoint(whole.result.checkpoint ?? '');
    const privacy = exportPrivacy(final.privacy ?? (undefined as never));
    expect(privacy).toMatchObject({ mechanism: 'dp-merf', epsilon, delta: 1e-4 });
    expect(privacy).not.toHaveProperty('release');
    await exportGenerator(a, join(root, 'export'), { privacy });
    const loaded = await loadGenerator(join(root, 'export'));
    expect(loaded.metadata['privacy']).toMatchObject({ mechanism: 'dp-merf', epsilon });
    loaded.model.dispose();
    a.dispose();

    // Without its release a checkpoint cannot resume (it would query the data again).
    await rm(join(root, 'whole', 'step-000000002', 'release.f64'));
    await expect(run(join(root, 'again'), join(root, 'whole', 'step-000000002'))).rejects.toThrow(
      /release\.f64/,
    );
  }, 120_000);

  it('refuses an unconditional model and mean-embedding fields under DP-SGD, naming the field', () => {
    const issuesOf = (input: TrainConfigInput) => {
      try {
        parseTrainConfig(input);
        return [];
      } catch (err) {
        return (err as ConfigError).issues;
      }
    };
    const unconditional = issuesOf({ ...config, model: 'mlp' });
    expect(unconditional).toContainEqual(
      expect.objectContaining({
        path: 'privacy.mechanism',
        message: expect.stringMatching(/model mlp is not one/) as unknown,
      }),
    );
    expect(issuesOf({ ...config, model: 'cvae' }).map((i) => i.path)).toContain(
      'privacy.mechanism',
    );
    const { mechanism: _m, ...dpSgd } = config.privacy ?? {};
    expect(issuesOf({ ...config, model: 'cmlp', privacy: dpSgd }).map((i) => i.path)).toEqual([
      'privacy.features',
      'privacy.bandwidth',
    ]);
    expect(() => parseTrainConfig(config)).not.toThrow();
    expect(ConfigError).toBeDefined();
  });
});
