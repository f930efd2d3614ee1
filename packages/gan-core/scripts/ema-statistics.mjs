#!/usr/bin/env node
// What the EMA generator's batch-norm statistics are worth (docs/results.md, "Standing statistics"):
// trains a run with checkpoints, then scores each checkpoint's EMA generator twice against the same
// MNIST test images: with the raw generator's moving statistics copied in (what the trainer did
// before) and with the standing statistics the trainer now stores (recomputed for the EMA's own
// weights). Also the raw generator, for reference.
//
//   node scripts/ema-statistics.mjs [--steps 2000] [--every 1000] [--n 1000] [--set key=value ...]
//
// After a build (`pnpm --filter @ganmod/gan-core build`); GANMOD_DATA_DIR caches MNIST's metric
// classifier. Prints one tab-separated row per checkpoint and variant.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { loadDataset } from '@ganmod/datasets';
import * as tf from '@tensorflow/tfjs';

import { initBackend } from '../dist/backend/index.js';
import { parseSet } from '../dist/bench/set-overrides.js';
import { generatorFromCheckpoint, listCheckpoints } from '../dist/checkpoint/index.js';
import {
  computeReference,
  evaluateGenerator,
  loadOrTrainFeatureExtractor,
} from '../dist/metrics/index.js';
import { evaluationSampler } from '../dist/sampling/index.js';
import { train } from '../dist/train/index.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '2000' },
    every: { type: 'string', default: '1000' },
    n: { type: 'string', default: '1000' },
    set: { type: 'string', multiple: true, default: [] },
  },
});
const overrides = parseSet(values.set);

await initBackend({ logger: null });
const [trainSet, test] = await Promise.all([
  loadDataset({ kind: 'mnist' }).then((r) => r.dataset),
  loadDataset({ kind: 'mnist', split: 'test' }).then((r) => r.dataset),
]);
const extractor = await loadOrTrainFeatureExtractor({ train: trainSet, test, log: () => {} });
const n = Number(values.n);
const reference = await computeReference(extractor, test, n, 1);
const dir = mkdtempSync(join(tmpdir(), 'ema-statistics-'));
const started = performance.now();
const config = {
  dataset: { kind: 'mnist' },
  model: 'dcgan',
  ...overrides,
  steps: Number(values.steps),
  sampleEvery: 0,
  checkpointEvery: Number(values.every),
  checkpointKeep: 1000,
};
await train(config, { dataset: trainSet, checkpointDir: dir });
console.log(
  `trained ${JSON.stringify(overrides)} for ${values.steps} steps in ${((performance.now() - started) / 60_000).toFixed(2)} min; n ${n}`,
);
console.log('step\tgenerator\tFID\tconfident%\tIS\tprecision\trecall');

async function score(generator, name, step) {
  const r = await evaluateGenerator({
    extractor,
    reference,
    dataset: test,
    n,
    conditional: false,
    generate: evaluationSampler(generator),
  });
  console.log(
    [step, name, r.fid.toFixed(2), (r.confident * 100).toFixed(1), r.is.mean.toFixed(2)]
      .concat([r.precision.toFixed(3), r.recall.toFixed(3)])
      .join('\t'),
  );
}

for (const { step, dir: checkpoint } of await listCheckpoints(dir)) {
  const standing = await generatorFromCheckpoint(checkpoint);
  await score(standing, 'ema, standing statistics', step);
  const raw = await generatorFromCheckpoint(checkpoint, { ema: false });
  await score(raw, 'raw', step);
  // The old EMA: averaged weights with the raw generator's moving statistics.
  tf.tidy(() =>
    raw.weights.forEach((w, i) => {
      if (!w.trainable) standing.weights[i].write(w.read());
    }),
  );
  await score(standing, 'ema, copied statistics', step);
  standing.dispose();
  raw.dispose();
}
rmSync(dir, { recursive: true, force: true });
