#!/usr/bin/env node
// A second judge for the emoji avatars: FID, KID and precision/recall in the feature space of a
// pretrained network (by default the MobileNetV2 that moderation's explicit-image detector uses,
// nsfwjs' weights: an ImageNet trunk fine-tuned on photos and drawings; its 1280-d global pool),
// beside the same figures in the emoji metric classifier's space. Build gan-core and moderation
// first (moderation's build converts the network).
//
//   node examples/judge-avatars.mjs [--n 1000] [--ladder] [--network <dir>] [--feature-layer <name>]
//                                   [<checkpoint-dir>...]
//
// Real reference: 7 in 10 training emoji (index % 10 < 7). The floor: 1,000 of the other training
// emoji, and the 402 test emoji. --ladder scores known degradations of those 1,000 images (blur,
// noise, dropped categories, one category) in both spaces: the check of what each judge punishes.
// Each checkpoint: n samples of its EMA generator, classes balanced (as the trainer's evaluation).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { loadEmoji } from '@ganmod/datasets';
import * as tf from '@tensorflow/tfjs';

import {
  PretrainedJudge,
  compareEmbeddings,
  generatorFromCheckpoint,
  initBackend,
  layersModelArtifacts,
  loadOrTrainFeatureExtractor,
  readCheckpoint,
  sample,
  sampleLength,
} from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values, positionals } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    ladder: { type: 'boolean', default: false },
    network: {
      type: 'string',
      default: join(here, '../../moderation/dist/models/nsfw-mobilenet-v2'),
    },
    'feature-layer': { type: 'string', default: 'flatten_1' },
  },
  allowPositionals: true,
});
const n = Number(values.n);
if (!existsSync(join(values.network, 'model.json'))) {
  throw new Error(
    `no model.json in ${values.network}: build @ganmod/moderation, or pass --network <dir>`,
  );
}

await initBackend({ logger: null });
const [{ dataset: train }, { dataset: test }] = await Promise.all([
  loadEmoji({ split: 'train' }),
  loadEmoji({ split: 'test' }),
]);
const len = sampleLength(train);
const subset = (dataset, indices, name) => {
  const data = new Float32Array(indices.length * len);
  indices.forEach((i, k) => data.set(dataset.data.subarray(i * len, (i + 1) * len), k * len));
  return {
    ...dataset,
    name,
    size: indices.length,
    data,
    labels: Int32Array.from(indices, (i) => dataset.labels[i]),
  };
};
const all = Array.from({ length: train.size }, (_, i) => i);
const reference = subset(
  train,
  all.filter((i) => i % 10 < 7),
  'emoji-train-reference',
);
const held = subset(train, all.filter((i) => i % 10 >= 7).slice(0, 1000), 'emoji-train-floor');

const modelJson = JSON.parse(readFileSync(join(values.network, 'model.json'), 'utf8'));
const network = await tf.loadLayersModel(
  tf.io.fromMemory(
    layersModelArtifacts(
      modelJson,
      new Uint8Array(readFileSync(join(values.network, 'weights.bin'))),
    ),
  ),
);
const judge = new PretrainedJudge({
  network,
  featureLayer: values['feature-layer'],
  imageShape: train.shape,
  name: `${modelJson.generatedBy ?? values.network} ${values['feature-layer']}`,
});
const classifier = await loadOrTrainFeatureExtractor({ train, test, log: () => {} });
console.log(
  JSON.stringify({
    what: 'judges',
    pretrained: judge.name,
    pretrainedFeatures: judge.featureDim,
    classifier: classifier.info.key,
    classifierAccuracy: classifier.info.testAccuracy,
    classifierFeatures: classifier.featureDim,
    reference: reference.size,
  }),
);

const started = performance.now();
const real = {
  judge: await judge.embedDataset(reference),
  classifier: await classifier.embedDataset(reference),
};
console.log(
  JSON.stringify({
    what: 'reference embedded',
    seconds: +((performance.now() - started) / 1000).toFixed(1),
  }),
);

/** Both judges' figures for `count` images in `data` (HWC, [-1, 1]). */
async function score(what, data, count) {
  const out = { what, n: count };
  for (const [space, embedder] of [
    ['judge', judge],
    ['classifier', classifier],
  ]) {
    const m = await compareEmbeddings(real[space], await embedder.embedArray(data, count));
    out[space] = {
      fid: +m.fid.toFixed(2),
      kid: +m.kid.mean.toFixed(4),
      precision: +m.precision.toFixed(3),
      recall: +m.recall.toFixed(3),
    };
  }
  console.log(JSON.stringify(out));
}

await score('floor: training emoji not in the reference', held.data, held.size);
await score('floor: test split', test.data, test.size);

if (values.ladder) {
  const images = () => tf.tensor4d(held.data, [held.size, ...train.shape]);
  const gaussianBlur = (x, sigma) =>
    tf.tidy(() => {
      const radius = Math.ceil(3 * sigma);
      const taps = Array.from({ length: 2 * radius + 1 }, (_, i) =>
        Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)),
      );
      const sum = taps.reduce((a, b) => a + b, 0);
      const k = tf.tensor1d(taps.map((t) => t / sum));
      const c = x.shape[3];
      const padded = tf.mirrorPad(
        x,
        [
          [0, 0],
          [radius, radius],
          [radius, radius],
          [0, 0],
        ],
        'symmetric',
      );
      const rows = tf.depthwiseConv2d(
        padded,
        k.reshape([1, -1, 1, 1]).tile([1, 1, c, 1]),
        1,
        'valid',
      );
      return tf.depthwiseConv2d(rows, k.reshape([-1, 1, 1, 1]).tile([1, 1, c, 1]), 1, 'valid');
    });
  const scoreTensor = async (what, t) => {
    const data = await t.data();
    t.dispose();
    await score(what, data, data.length / len);
  };
  for (const sigma of [0.5, 1, 2]) {
    const x = images();
    await scoreTensor(`blur: Gaussian sigma ${sigma} px`, gaussianBlur(x, sigma));
    x.dispose();
  }
  for (const noise of [0.05, 0.1, 0.2]) {
    const x = images();
    await scoreTensor(
      `noise: Gaussian sd ${noise} (pixels in [-1, 1])`,
      tf.tidy(() => x.add(tf.randomNormal(x.shape, 0, noise, 'float32', 1)).clipByValue(-1, 1)),
    );
    x.dispose();
  }
  // Mode dropping: the held-out images of some categories, repeated to the same count.
  const byCategory = (keep) => {
    const picked = [];
    for (let i = 0; i < held.size; i++) if (keep(held.labels[i])) picked.push(i);
    const order = Array.from({ length: held.size }, (_, k) => picked[k % picked.length]);
    return subset(held, order, 'dropped').data;
  };
  await score(
    'modes: 5 of 10 categories',
    byCategory((c) => c < 5),
    held.size,
  );
  await score(
    'modes: 1 category (Smileys & Emotion)',
    byCategory((c) => c === 0),
    held.size,
  );
}

for (const dir of positionals) {
  const { numClasses, step } = await readCheckpoint(dir);
  const generator = await generatorFromCheckpoint(dir);
  const label = numClasses > 0 ? Array.from({ length: n }, (_, i) => i % numClasses) : undefined;
  const images = sample(generator, { n, seed: 1, ...(label ? { label } : {}) });
  const data = await images.data();
  images.dispose();
  generator.dispose();
  await score(`${dir} (step ${step})`, data, n);
}
judge.dispose();
classifier.dispose();
