/** Shared setup for the gan-core training tests: the real backend and real MNIST. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadMnist } from '@ganmod/datasets';

import { initBackend } from '../src/backend/index.js';
import { trainingImagesFromDataset, type TrainingImages } from '../src/train/data.js';

/** The project's backend picker: wasm with the project's kernels on these machines. */
export async function setupBackend(): Promise<void> {
  await initBackend({ logger: null });
}

const cache = new Map<number, Promise<TrainingImages>>();

/** The first `limit` real MNIST training digits (28x28x1, labelled 0-9), shuffled with `seed` 0. */
export function mnist(limit = 512): Promise<TrainingImages> {
  let pending = cache.get(limit);
  if (pending === undefined) {
    pending = loadMnist({ limit }).then(({ dataset }) => trainingImagesFromDataset(dataset, 0));
    cache.set(limit, pending);
  }
  return pending;
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(
  prefix: string,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `ganmod-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs `fn` and returns its losses per step through onStep. */
export function collectLosses(): {
  losses: Record<string, number | undefined>[];
  onStep: (e: { losses: Record<string, number | undefined> }) => void;
} {
  const losses: Record<string, number | undefined>[] = [];
  return { losses, onStep: (e) => void losses.push({ ...e.losses }) };
}

/**
 * Where `actual` first differs from `expected` ("index 12: 0.25, expected 0.5"; `Object.is`, so
 * -0 and NaN count), or null when they are identical. For weights and optimizer state: vitest's
 * `toEqual` compares typed arrays at ~0.4 M values a second, 8 s for one DCGAN's weights.
 */
export function firstDifference(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
): string | null {
  if (actual.length !== expected.length)
    return `length ${actual.length}, expected ${expected.length}`;
  for (let i = 0; i < actual.length; i++)
    if (!Object.is(actual[i], expected[i]))
      return `index ${i}: ${actual[i]}, expected ${expected[i]}`;
  return null;
}
