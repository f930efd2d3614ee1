#!/usr/bin/env node
// Steps/s of private training (DP-SGD on D) with per-example gradients in one batched pass
// (privacy/per-example.ts) against one backward pass per example (the reference), interleaved in
// the same process on real MNIST; non-private steps for scale (docs/privacy.md):
//   nice -n 10 node scripts/privacy-bench.mjs [--models mlp,cdcgan] [--batch 64] [--steps 10]
import { loadavg } from 'node:os';

import { loadMnist } from '@ganmod/datasets';

import {
  createTrainingState,
  disposeState,
  initBackend,
  parseTrainConfig,
  planPrivacy,
  trainingImagesFromDataset,
  trainStep,
} from '../dist/index.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const models = flag('--models', 'mlp,cdcgan').split(',');
const batchSize = Number(flag('--batch', '64'));
const steps = Number(flag('--steps', '10'));
const backend = await initBackend({ logger: null });
const { dataset } = await loadMnist({ limit: 10000 });
const data = trainingImagesFromDataset(dataset, 0);
console.log(
  `backend ${backend.name}, batch ${batchSize}, ${steps} timed steps per mode, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const model of models) {
  const config = parseTrainConfig({
    model,
    dataset: { kind: 'mnist' },
    batchSize,
    steps: 1000,
    privacy: { noiseMultiplier: 1, delta: 1e-5 },
  });
  const plan = planPrivacy(config, data.size);
  const modes = {
    'non-private': null,
    'one pass (per-example tricks)': plan,
    'one backward per example': { ...plan, microbatch: true },
  };
  const states = Object.fromEntries(
    Object.keys(modes).map((m) => [
      m,
      createTrainingState(config, [28, 28, 1], model === 'cdcgan' ? 10 : 0),
    ]),
  );
  const seconds = Object.fromEntries(Object.keys(modes).map((m) => [m, 0]));
  for (const [m, p] of Object.entries(modes)) trainStep(states[m], data, p); // warm-up
  // Interleaved, one step per mode per round, so that load changes hit every mode alike.
  for (let i = 0; i < steps; i++)
    for (const [m, p] of Object.entries(modes)) {
      const t = performance.now();
      trainStep(states[m], data, p);
      seconds[m] += (performance.now() - t) / 1000;
    }
  const ref = steps / seconds['one backward per example'];
  for (const m of Object.keys(modes)) {
    const rate = steps / seconds[m];
    console.log(
      `${model}  ${m.padEnd(30)} ${rate.toFixed(3)} steps/s  (${(rate / ref).toFixed(2)}x the per-example backward)`,
    );
  }
  Object.values(states).forEach(disposeState);
}
console.log(
  `load after ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
