import { cp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CheckpointError, readCheckpoint } from '../src/checkpoint/index.js';
import { parseTrainConfig, type TrainConfigInput } from '../src/config.js';
import { train } from '../src/train/trainer.js';
import { collectLosses, mnist, setupBackend, tempDir } from './gan-helpers.js';

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await setupBackend();
  ({ dir: root, cleanup } = await tempDir('ckpt'));
});
afterAll(() => cleanup());

/** Trains `config`, checkpointing into `dir`, and returns the per-step losses. */
async function run(config: TrainConfigInput, dir: string, resumeFrom?: string) {
  const { losses, onStep } = collectLosses();
  const dataset = await mnist();
  const result = await train(config, {
    dataset,
    checkpointDir: dir,
    callbacks: { onStep },
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
  });
  return { losses, result };
}

function expectSameLosses(
  actual: Record<string, number | undefined>[],
  expected: Record<string, number | undefined>[],
) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((losses, i) => {
    for (const [name, value] of Object.entries(expected[i] ?? {})) expect(losses[name]).toBe(value);
  });
}

describe('checkpoint -> resume continues the same trajectory', () => {
  it.each<[string, TrainConfigInput]>([
    // MLP with everything that draws randomness: augmentation, R1, EMA, label smoothing.
    [
      'mlp',
      {
        dataset: { kind: 'mnist' },
        model: 'mlp',
        batchSize: 16,
        diffAugment: 'color,translation,cutout',
        r1Gamma: 0.5,
        labelSmoothing: 0.1,
      },
    ],
    // DCGAN: seeded dropout masks and BatchNorm moving statistics must replay too.
    ['dcgan', { dataset: { kind: 'mnist' }, model: 'dcgan', batchSize: 8, loss: 'hinge' }],
  ])(
    '%s: losses at steps k+1..k+3 equal the uninterrupted run',
    async (name, config) => {
      const full = { ...config, steps: 6, checkpointEvery: 3, sampleEvery: 0 };
      const a = await run(full, join(root, `${name}-a`));
      expect(a.result.status).toBe('completed');
      expect(a.result.checkpoint).toBe(join(root, `${name}-a`, 'step-000000006'));

      const b = await run(full, join(root, `${name}-b`), join(root, `${name}-a`, 'step-000000003'));
      expect(b.result).toMatchObject({ status: 'completed', step: 6 });
      expect(b.losses).toHaveLength(3);
      expectSameLosses(b.losses, a.losses.slice(3));

      // The final weights agree too (same trajectory, not just the same losses).
      const [wa, wb] = await Promise.all([
        readCheckpoint(join(root, `${name}-a`, 'step-000000006')),
        readCheckpoint(join(root, `${name}-b`, 'step-000000006')),
      ]);
      const first = (d: typeof wa) =>
        Array.from(d.groups.generatorEma.tensors[0]?.values.subarray(0, 50) ?? []);
      expect(first(wb)).toEqual(first(wa));
      expect(wb.rng).toEqual(wa.rng);
    },
    120_000,
  );
});

describe('checkpoint files', () => {
  const config = {
    dataset: { kind: 'mnist' },
    model: 'mlp',
    batchSize: 8,
    sampleEvery: 0,
  } as const;
  let good: string;

  beforeAll(async () => {
    const { result } = await run(
      { ...config, steps: 4, checkpointEvery: 1, checkpointKeep: 2 },
      join(root, 'keep'),
    );
    good = result.checkpoint ?? '';
  }, 60_000);

  it('keeps the last K checkpoints and leaves no temporary directories', async () => {
    expect((await readdir(join(root, 'keep'))).sort()).toEqual([
      'step-000000003',
      'step-000000004',
    ]);
    const manifest = JSON.parse(await readFile(join(good, 'manifest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({ format: 'ganmod-gan-checkpoint', version: 1, step: 4 });
    expect((manifest['groups'] as Record<string, { sha256: string }>)['generator']?.sha256).toMatch(
      /^[0-9a-f]{64}$/,
    );
    expect(
      (manifest['groups'] as Record<string, { iterations: number }>)['optimizerD']?.iterations,
    ).toBe(4);
  });

  async function corrupted(name: string, damage: (dir: string) => Promise<void>): Promise<string> {
    const dir = join(root, 'bad', name);
    await cp(good, dir, { recursive: true });
    await damage(dir);
    return dir;
  }

  it.each<[string, (dir: string) => Promise<void>, RegExp]>([
    [
      'flipped bytes',
      async (dir) => {
        const bytes = await readFile(join(dir, 'discriminator.bin'));
        bytes[100] = (bytes[100] ?? 0) ^ 0xff;
        await writeFile(join(dir, 'discriminator.bin'), bytes);
      },
      /discriminator\.bin does not match its sha256 in the manifest \(corrupted\)/,
    ],
    [
      'truncated file',
      (dir) => truncate(join(dir, 'generator.bin'), 1000),
      /generator\.bin is 1000 bytes, the manifest says \d+ \(truncated or replaced\)/,
    ],
    [
      'deleted file',
      (dir) => rm(join(dir, 'optimizer-g.bin')),
      /missing optimizer-g\.bin \(ENOENT\)/,
    ],
    [
      'deleted manifest',
      (dir) => rm(join(dir, 'manifest.json')),
      /cannot read manifest\.json \(ENOENT\)/,
    ],
    [
      'garbled manifest',
      (dir) => writeFile(join(dir, 'manifest.json'), '{"format": '),
      /manifest\.json is not valid JSON/,
    ],
  ])(
    'refuses a checkpoint with a %s',
    async (name, damage, message) => {
      const dir = await corrupted(name.replace(/ /g, '-'), damage);
      const error = await readCheckpoint(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as Error).message).toMatch(message);
      // train() refuses it before touching anything.
      const dataset = await mnist();
      await expect(train({ ...config, steps: 6 }, { dataset, resumeFrom: dir })).rejects.toThrow(
        message,
      );
    },
    30_000,
  );

  it('refuses to resume with a config that changes the trajectory, naming the fields', async () => {
    const other = parseTrainConfig({ ...config, steps: 4, lrG: 1e-3, batchSize: 16 });
    await expect(readCheckpoint(good, other)).rejects.toThrow(
      /batchSize, lrG differ from the run being resumed/,
    );
    // Schedule fields (steps, sampling, checkpointing) may change.
    const longer = parseTrainConfig({ ...config, steps: 100, checkpointEvery: 50 });
    await expect(readCheckpoint(good, longer)).resolves.toMatchObject({ step: 4 });
  });

  it('writes a final checkpoint when cancelled', async () => {
    const dataset = await mnist();
    const controller = new AbortController();
    const dir = join(root, 'cancel');
    const result = await train(
      { ...config, steps: 100, checkpointEvery: 0 },
      {
        dataset,
        checkpointDir: dir,
        signal: controller.signal,
        callbacks: { onStep: ({ step }) => (step === 2 ? controller.abort() : undefined) },
      },
    );
    expect(result).toEqual({
      status: 'cancelled',
      step: 2,
      checkpoint: join(dir, 'step-000000002'),
    });
    await expect(readCheckpoint(join(dir, 'step-000000002'))).resolves.toMatchObject({ step: 2 });
  }, 30_000);
});
