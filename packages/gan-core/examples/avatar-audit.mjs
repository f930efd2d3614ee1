#!/usr/bin/env node
// The emoji avatars' real-vs-real floor at the trainer's evaluation sizes, and the memorization
// audit of each checkpoint given (EMA generator), with the trainer's periodic evaluation of it
// (apps/trainer/src/training/evaluation.ts: the same sampler, n and reference). Build first.
//
//   node examples/avatar-audit.mjs [--n 1000] [--pairs <png-prefix>] <checkpoint-dir>...
//
// The floor: 1000 training emoji against the whole test split (402), the sizes of the trainer's
// periodic evaluation (1000 generated vs the test split). The audit: each generated avatar's
// nearest training emoji (RMS per value, pixels in [-1, 1] and the metric classifier's features),
// against the same distance for the held-out test emoji. Some test emoji are pixel-identical to
// training ones (skin-tone variants without skin render the same), so the held-out baseline is
// also given without those exact duplicates, and the flag threshold is calibrated on it.
// --pairs writes <prefix>-<i>.png per checkpoint: the 10 generated avatars nearest to a training
// image (top row) above those training images (bottom row).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { loadEmoji } from '@ganmod/datasets';
import * as tf from '@tensorflow/tfjs';

import {
  compareEmbeddings,
  computeReference,
  evaluateGenerator,
  evaluationSampler,
  featureMatrix,
  generatorFromCheckpoint,
  gridPng,
  initBackend,
  kNearestNeighbors,
  loadOrTrainFeatureExtractor,
  memorizationAudit,
  readCheckpoint,
  sample,
  sampleLength,
} from '../dist/index.js';

const { values, positionals } = parseArgs({
  options: { n: { type: 'string', default: '1000' }, pairs: { type: 'string' } },
  allowPositionals: true,
});
const n = Number(values.n);
/** Pixel distances at or below this count as exact copies (8-bit rounding is 1/127.5 ≈ 0.008). */
const EXACT = 1e-3;

await initBackend({ logger: null });
const [{ dataset: train }, { dataset: test }] = await Promise.all([
  loadEmoji({ split: 'train' }),
  loadEmoji({ split: 'test' }),
]);
const extractor = await loadOrTrainFeatureExtractor({ train, test, log: () => {} });
console.log(
  JSON.stringify({
    what: 'classifier',
    key: extractor.info.key,
    testAccuracy: extractor.info.testAccuracy,
    train: train.size,
    test: test.size,
  }),
);

const fmt = (m) => ({
  fid: +m.fid.toFixed(2),
  kid: +m.kid.mean.toFixed(3),
  is: +m.is.mean.toFixed(2),
  precision: +m.precision.toFixed(3),
  recall: +m.recall.toFixed(3),
});
const reference = await computeReference(extractor, test, n, 1);
const trainSide = await computeReference(extractor, train, n, 3);
console.log(
  JSON.stringify({
    what: `floor: emoji train (${trainSide.embedding.features.rows}) vs test (${reference.embedding.features.rows})`,
    ...fmt(await compareEmbeddings(reference, trainSide.embedding)),
  }),
);

const quantiles = (distances) => {
  const s = Float64Array.from(distances).sort();
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  const r = (v) => +v.toFixed(3);
  return { n: s.length, min: r(s[0]), q1: r(at(0.01)), q5: r(at(0.05)), median: r(at(0.5)) };
};
const len = sampleLength(train);
const trainPixels = featureMatrix(train.data, train.size, len);
const trainFeatures = (await extractor.embedDataset(train)).features;
const testPixelNn = await kNearestNeighbors(
  featureMatrix(test.data, test.size, len),
  trainPixels,
  1,
);
const testPixel = testPixelNn.distances.map((d) => d / Math.sqrt(len));
const testFeatureNn = await kNearestNeighbors(
  (await extractor.embedDataset(test)).features,
  trainFeatures,
  1,
);
const testFeature = testFeatureNn.distances.map((d) => d / Math.sqrt(trainFeatures.cols));
// The held-out emoji that are not pixel-identical to a training emoji.
const fresh = [];
for (let i = 0; i < test.size; i++) if (testPixel[i] > EXACT) fresh.push(i);
const freshSet = {
  ...test,
  name: 'emoji-test-fresh',
  size: fresh.length,
  data: new Float32Array(fresh.length * len),
  labels: Int32Array.from(fresh, (i) => test.labels[i]),
};
fresh.forEach((i, k) => freshSet.data.set(test.data.subarray(i * len, (i + 1) * len), k * len));
console.log(
  JSON.stringify({
    what: 'held-out test emoji -> nearest training emoji',
    exactDuplicates: test.size - fresh.length,
    pixel: quantiles(testPixel),
    pixelWithoutDuplicates: quantiles(fresh.map((i) => testPixel[i])),
    feature: quantiles(testFeature),
    featureWithoutDuplicates: quantiles(fresh.map((i) => testFeature[i])),
  }),
);
const freshPixel = Float64Array.from(fresh, (i) => testPixel[i]).sort();
const freshFeature = Float64Array.from(fresh, (i) => testFeature[i]).sort();
const below = (distances, sorted, q) => {
  const t = sorted[Math.floor(q * sorted.length)];
  return +(distances.filter((d) => d < t).length / distances.length).toFixed(3);
};

for (const [index, dir] of positionals.entries()) {
  const { numClasses, step } = await readCheckpoint(dir);
  const generator = await generatorFromCheckpoint(dir);
  const label = numClasses > 0 ? Array.from({ length: n }, (_, i) => i % numClasses) : undefined;
  const quality = await evaluateGenerator({
    extractor,
    reference,
    dataset: test,
    n,
    conditional: numClasses > 0,
    generate: evaluationSampler(generator),
  });
  console.log(
    JSON.stringify({
      what: 'evaluation (as the trainer logs it)',
      dir,
      step,
      ...fmt(quality),
      conditionalAccuracy: quality.conditionalAccuracy,
    }),
  );
  const images = sample(generator, { n, seed: 1, ...(label ? { label } : {}) });
  const audits = {};
  for (const space of ['pixel', 'feature']) {
    const report = await memorizationAudit({
      samples: images,
      training: train,
      space,
      extractor,
      ...(space === 'feature' ? { trainingFeatures: trainFeatures } : {}),
      calibration: freshSet,
      calibrationQuantile: 0.01,
    });
    const sorted = space === 'pixel' ? freshPixel : freshFeature;
    audits[space] = {
      ...quantiles(report.distance),
      exactCopies: report.distance.filter((d) => d <= EXACT).length,
      threshold: +report.threshold.toFixed(3),
      flaggedFraction: +report.flaggedFraction.toFixed(3),
      belowHeldOut5: below(report.distance, sorted, 0.05),
      ratioBelowThird: report.ratio.filter((r) => r < 1 / 3).length,
      distinctNearest: new Set(report.nearestIndex).size,
    };
    if (space === 'pixel' && values.pairs !== undefined) {
      const order = Array.from(report.distance.keys())
        .sort((a, b) => report.distance[a] - report.distance[b])
        .slice(0, 10);
      const grid = tf.tidy(() => {
        const fakes = tf.gather(images, order);
        const nearest = tf
          .tensor2d(
            Array.from(order, (i) => report.nearestIndex[i]).flatMap((j) =>
              Array.from(train.data.subarray(j * len, (j + 1) * len)),
            ),
            [order.length, len],
          )
          .reshape([order.length, ...images.shape.slice(1)]);
        return tf.concat([fakes, nearest], 0);
      });
      await writeFile(`${values.pairs}-${index}.png`, gridPng(grid, order.length));
      grid.dispose();
    }
  }
  console.log(
    JSON.stringify({ what: 'generated -> nearest training emoji', dir, step, n, ...audits }),
  );
  tf.dispose(images);
  generator.dispose();
}
extractor.dispose();
