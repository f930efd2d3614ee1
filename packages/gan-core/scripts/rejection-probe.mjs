#!/usr/bin/env node
// Are the (plain) unconditional DCGAN's unconfident samples the ones its discriminator finds least real?
// (docs/results.md, "Session 14"): trains the default DCGAN to --steps with a checkpoint (or reads
// --checkpoint), draws a pool of --pool x n samples from its EMA generator, scores each with the
// run's discriminator (inference mode), and evaluates n of them three ways against the same MNIST
// test images: the first n drawn (what sampling gives today), the n D rates highest, and the n it
// rates lowest. A probe for discriminator rejection sampling (Azadi et al. 2019), not a sampler.
//
//   node scripts/rejection-probe.mjs [--steps 2000] [--checkpoint dir] [--n 1000] [--pool 4]
//
// After a build; GANMOD_DATA_DIR caches MNIST's metric classifier. Prints one JSON line per way.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { loadDataset } from '@ganmod/datasets';
import * as tf from '@tensorflow/tfjs';

import { initBackend } from '../dist/backend/index.js';
import {
  generatorFromCheckpoint,
  latestCheckpoint,
  readCheckpoint,
} from '../dist/checkpoint/index.js';
import {
  computeReference,
  evaluateGenerator,
  loadOrTrainFeatureExtractor,
} from '../dist/metrics/index.js';
import { buildGan } from '../dist/models/index.js';
import { evaluationSampler } from '../dist/sampling/index.js';
import { restoreModel } from '../dist/train/state.js';
import { train } from '../dist/train/index.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '2000' },
    checkpoint: { type: 'string' },
    n: { type: 'string', default: '1000' },
    pool: { type: 'string', default: '4' },
  },
});
const n = Number(values.n);
const pool = Number(values.pool);

await initBackend({ logger: null });
const [trainSet, test] = await Promise.all([
  loadDataset({ kind: 'mnist' }).then((r) => r.dataset),
  loadDataset({ kind: 'mnist', split: 'test' }).then((r) => r.dataset),
]);
let dir = values.checkpoint;
if (dir === undefined) {
  const root = mkdtempSync(join(tmpdir(), 'rejection-probe-'));
  const started = performance.now();
  await train(
    // clusters 0: the plain DCGAN this probe studied (self-conditioning is the default since).
    {
      dataset: { kind: 'mnist' },
      model: 'dcgan',
      clusters: 0,
      steps: Number(values.steps),
      sampleEvery: 0,
    },
    { dataset: trainSet, checkpointDir: root },
  );
  dir = await latestCheckpoint(root);
  console.log(JSON.stringify({ trained: dir, seconds: (performance.now() - started) / 1000 }));
}
const data = await readCheckpoint(dir);
if (data.numClasses > 0)
  throw new Error(
    `${dir} holds a model of ${data.numClasses} classes or clusters: this probe scores plain DCGAN checkpoints (clusters 0)`,
  );
const { discriminator, generator: unused } = buildGan(data.config.model, {
  shape: data.imageShape,
  latentDim: data.config.latentDim,
  discriminatorWidth: data.config.discriminatorWidth,
});
unused.dispose();
restoreModel(discriminator, data.groups.discriminator.tensors, 'discriminator', dir);
const generator = await generatorFromCheckpoint(dir);

// The pool, in chunks, with each image's D logit.
const draw = evaluationSampler(generator);
const images = [];
const logits = [];
for (let drawn = 0; drawn < pool * n; drawn += 250) {
  const batch = draw(Math.min(250, pool * n - drawn));
  const logit = tf.tidy(() => discriminator.apply(batch, { training: false }).reshape([-1]));
  images.push(batch);
  logits.push(...logit.dataSync());
  logit.dispose();
}
const all = tf.concat(images);
tf.dispose(images);
const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
const extractor = await loadOrTrainFeatureExtractor({ train: trainSet, test, log: () => {} });
const reference = await computeReference(extractor, test, n, 1);
const ways = {
  'first n (today)': Array.from({ length: n }, (_, i) => i),
  [`top n of ${pool}n by D`]: order.slice(0, n),
  [`bottom n of ${pool}n by D`]: order.slice(-n),
};
for (const [way, picked] of Object.entries(ways)) {
  const chosen = tf.gather(all, picked);
  let offset = 0;
  const result = await evaluateGenerator({
    extractor,
    reference,
    dataset: test,
    n,
    conditional: false,
    generate: (count) => {
      const slice = chosen.slice(offset, count);
      offset += count;
      return slice;
    },
  });
  chosen.dispose();
  const meanLogit = picked.reduce((s, i) => s + logits[i], 0) / picked.length;
  console.log(
    JSON.stringify({
      way,
      step: data.step,
      meanLogit: +meanLogit.toFixed(3),
      fid: +result.fid.toFixed(2),
      confident: result.confident,
      precision: result.precision,
      recall: result.recall,
      is: +result.is.mean.toFixed(2),
    }),
  );
}
all.dispose();
