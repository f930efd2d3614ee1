#!/usr/bin/env node
// Distance-to-closest-record membership-inference attack on an exported generator (docs/privacy.md):
//   node scripts/membership-attack.mjs <export dir> [--generated 2000] [--per-side 1000]
// Members: the first images of the MNIST train split (every one was in the training set of a run
// trained on the full split); non-members: the first images of the test split. Pixel space.
import { loadMnist } from '@ganmod/datasets';
import * as tf from '@tensorflow/tfjs';

import {
  featureMatrix,
  generate,
  initBackend,
  loadGenerator,
  membershipAttack,
} from '../dist/index.js';

const args = process.argv.slice(2);
const dir = args[0];
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
if (dir === undefined) {
  process.stderr.write(
    'usage: node scripts/membership-attack.mjs <export dir> [--generated n] [--per-side n]\n',
  );
  process.exit(2);
}
const nGenerated = flag('--generated', 2000);
const perSide = flag('--per-side', 1000);
await initBackend({ logger: null });
const { model, metadata } = await loadGenerator(dir);
const labels =
  metadata.numClasses > 0
    ? Array.from({ length: nGenerated }, (_, i) => i % metadata.numClasses)
    : undefined;
const images = tf.tidy(() =>
  generate(model, tf.randomNormal([nGenerated, metadata.latentDim], 0, 1, 'float32', 4242), labels),
);
const cols = images.shape[1] * images.shape[2] * images.shape[3];
const generated = featureMatrix(Float32Array.from(images.dataSync()), nGenerated, cols);
images.dispose();
const rows = async (split) => {
  const { dataset } = await loadMnist({ split, limit: perSide });
  return featureMatrix(Float32Array.from(dataset.data), perSide, cols);
};
const t = Date.now();
const result = await membershipAttack({
  generated,
  members: await rows('train'),
  nonMembers: await rows('test'),
});
console.log(
  JSON.stringify({
    export: dir,
    privacy: metadata.privacy ?? null,
    ...result,
    seconds: (Date.now() - t) / 1000,
  }),
);
