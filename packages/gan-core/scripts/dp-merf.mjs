#!/usr/bin/env node
// DP-MERF generators for the table of docs/privacy.md: one noisy class-conditional RFF mean
// embedding of MNIST's 60k training digits (src/privacy/mean-embedding.ts), then a conditional
// generator trained to match it. Exports land where `privacy-table.mjs eval` reads them.
//
//   nice -n 10 node scripts/dp-merf.mjs train <root> <name> [--epsilon e] [--features D]
//       [--bandwidth l] [--generator mlp|cdcgan] [--steps n] [--per-class b] [--lr r] [--seed s]
//       [--dataset mnist|fashion-mnist]
//
// --dataset fashion-mnist trains on Fashion-MNIST, the public stand-in on which the kernel's
// bandwidth ℓ is chosen (docs/privacy.md) so that the choice costs MNIST no privacy.
// --epsilon 0 trains on the un-noised embedding (the mechanism's non-private reference).
// `train` writes <root>/<name>/export (the generator, with userDefinedMetadata.ganmod.privacy),
// <root>/<name>/grid.png (row = class) and <root>/<name>/train.json (times, load, ε, σ).
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';

import { loadDataset } from '@ganmod/datasets';
import * as tf from '@tensorflow/tfjs';

import {
  buildCdcganGenerator,
  buildMlpGenerator,
  classEmbeddings,
  embeddingSum,
  exportGenerator,
  generate,
  gridPng,
  initBackend,
  meanEmbeddingEpsilon,
  meanEmbeddingLoss,
  meanEmbeddingNoise,
  releaseEmbedding,
  rffMap,
  trainingDataFromDataset,
} from '../dist/index.js';

const [command, root, name, ...rest] = process.argv.slice(2);
const flag = (key, fallback) => {
  const i = rest.indexOf(key);
  return i < 0 ? fallback : rest[i + 1];
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
if (command !== 'train' || root === undefined || name === undefined) {
  process.stderr.write('usage: dp-merf.mjs train <root> <name> [--epsilon e] [--features D] ...\n');
  process.exit(2);
}

const epsilon = Number(flag('--epsilon', 10));
const features = Number(flag('--features', 5000));
const bandwidth = Number(flag('--bandwidth', 10));
const kind = flag('--generator', 'mlp');
const steps = Number(flag('--steps', 2000));
const perClass = Number(flag('--per-class', 50));
const lr = Number(flag('--lr', 1e-3));
const seed = Number(flag('--seed', 0));
const datasetKind = flag('--dataset', 'mnist');
if (datasetKind !== 'mnist' && datasetKind !== 'fashion-mnist') {
  process.stderr.write(`--dataset must be mnist or fashion-mnist, got ${datasetKind}\n`);
  process.exit(2);
}
const delta = 1e-5;
const latentDim = 100;
const numClasses = 10;

await initBackend({ logger: null });
const { dataset } = await loadDataset({ kind: datasetKind, split: 'train' });
const data = trainingDataFromDataset(dataset, seed);
const dir = join(root, name);
await mkdir(dir, { recursive: true });

const t0 = performance.now();
const map = rffMap({ features, bandwidth, inputDim: 784, seed });
const sum = embeddingSum(data, map);
const sigma = epsilon > 0 ? meanEmbeddingNoise(epsilon, delta) : 0;
const released = sigma > 0 ? releaseEmbedding(sum, sigma) : sum;
const spent = sigma > 0 ? meanEmbeddingEpsilon(sigma, delta) : null;
const targets = classEmbeddings(released, features, numClasses);
const releaseSeconds = (performance.now() - t0) / 1000;
console.log(
  JSON.stringify({
    name,
    release: { sigma, epsilon: spent, delta, features, bandwidth, seconds: releaseSeconds },
    noisyCounts: Array.from(targets.counts, (c) => Math.round(c)),
    load: load(),
  }),
);

const shape = [28, 28, 1];
const generator =
  kind === 'cdcgan'
    ? buildCdcganGenerator({ shape, latentDim, numClasses })
    : buildMlpGenerator({ shape, latentDim, numClasses });
const optimizer = tf.train.adam(lr, 0.5, 0.999);
// Balanced batches: perClass latents per class, labels fixed.
const labelIds = Int32Array.from({ length: perClass * numClasses }, (_, i) => i % numClasses);
const labels = tf.oneHot(Array.from(labelIds), numClasses).toFloat();
const t1 = performance.now();
let last = 0;
for (let step = 1; step <= steps; step++) {
  const cost = optimizer.minimize(
    () => {
      const z = tf.randomNormal([labelIds.length, latentDim], 0, 1, 'float32', seed * 1e6 + step);
      const images = generator.apply([z, labels], { training: true });
      return meanEmbeddingLoss(images, labels, targets.means, map);
    },
    true,
    generator.trainableWeights.map((w) => w.read()),
  );
  if (step % 100 === 0 || step === steps) {
    last = cost.dataSync()[0];
    const seconds = (performance.now() - t1) / 1000;
    console.log(
      JSON.stringify({
        name,
        step,
        loss: +last.toExponential(4),
        stepsPerSec: +(step / seconds).toFixed(3),
        load: load(),
      }),
    );
  }
  cost.dispose();
}
const trainSeconds = (performance.now() - t1) / 1000;

const privacy =
  spent === null
    ? undefined
    : { mechanism: 'dp-merf', epsilon: spent, delta, noiseMultiplier: sigma, features, bandwidth };
await exportGenerator(generator, join(dir, 'export'), {
  step: steps,
  ...(privacy ? { privacy } : {}),
});
const gridLabels = Array.from({ length: 100 }, (_, i) => Math.floor(i / 10));
const images = tf.tidy(() =>
  generate(generator, tf.randomNormal([100, latentDim], 0, 1, 'float32', 11), gridLabels),
);
await writeFile(join(dir, 'grid.png'), gridPng(images, 10));
images.dispose();
const summary = {
  name,
  generator: kind,
  features,
  bandwidth,
  steps,
  perClass,
  lr,
  epsilon: spent,
  sigma,
  finalLoss: last,
  releaseSeconds,
  trainSeconds,
  load: load(),
};
await writeFile(join(dir, 'train.json'), JSON.stringify(summary, null, 2));
console.log(JSON.stringify(summary));
