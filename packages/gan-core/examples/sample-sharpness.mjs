#!/usr/bin/env node
// Sharpness (mean gradient magnitude, src/metrics/sharpness.ts) of n samples from the EMA generator
// of each checkpoint given, beside n real test images of the dataset (MNIST unless --dataset).
// Build first.
//
//   node examples/sample-sharpness.mjs [--n 1000] [--dataset mnist|fashion-mnist] <checkpoint-dir>...
import { parseArgs } from 'node:util';

import { loadDataset } from '@ganmod/datasets';
import * as tf from '@tensorflow/tfjs';

import {
  generatorFromCheckpoint,
  initBackend,
  meanGradientMagnitude,
  readCheckpoint,
  sample,
  trainingImagesFromDataset,
} from '../dist/index.js';

const { values, positionals } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    dataset: { type: 'string', default: 'mnist' },
  },
  allowPositionals: true,
});
const n = Number(values.n);
await initBackend({ logger: null });
const { dataset } = await loadDataset({ kind: values.dataset, split: 'test', limit: n });
// The test split may hold fewer than n images (emoji: 402): report how many were used.
const realCount = Math.min(n, dataset.size);
const real = trainingImagesFromDataset(dataset, 0).batch(0, realCount).images;
console.log(
  JSON.stringify({
    what: `real ${values.dataset} test`,
    n: realCount,
    sharpness: meanGradientMagnitude(real),
  }),
);
real.dispose();
for (const dir of positionals) {
  const { config, numClasses } = await readCheckpoint(dir);
  const generator = await generatorFromCheckpoint(dir);
  // Conditional models: the classes in turn, as many of each.
  const label = numClasses > 0 ? Array.from({ length: n }, (_, i) => i % numClasses) : undefined;
  const images = sample(generator, { n, seed: 1, ...(label ? { label } : {}) });
  console.log(
    JSON.stringify({ what: config.model, dir, n, sharpness: meanGradientMagnitude(images) }),
  );
  tf.dispose(images);
  generator.dispose();
}
