#!/usr/bin/env node
// Trains the DCGAN (TensorFlow tutorial architecture) on real MNIST and writes sample grids,
// checkpoints and the exported EMA generator. Build first: `pnpm --filter @ganmod/gan-core build`.
//
//   node examples/train-mnist-dcgan.mjs [--steps 3000] [--batch 32] [--model dcgan] [--out runs/mnist-dcgan]
//
// Ctrl-C stops after the current step with a final checkpoint; run again with the same --out to resume.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { loadMnist } from '@ganmod/datasets';

import {
  exportGenerator,
  generatorFromCheckpoint,
  initBackend,
  latestCheckpoint,
  loadGenerator,
  parseTrainConfig,
  sample,
  gridPng,
  train,
  trainingImagesFromDataset,
} from '../dist/index.js';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '3000' },
    batch: { type: 'string', default: '32' },
    model: { type: 'string', default: 'dcgan' },
    out: { type: 'string', default: 'runs/mnist-dcgan' },
    'sample-every': { type: 'string', default: '100' },
  },
});

const config = parseTrainConfig({
  dataset: { kind: 'mnist' },
  model: args.model,
  steps: Number(args.steps),
  batchSize: Number(args.batch),
  sampleEvery: Number(args['sample-every']),
  checkpointEvery: 250,
  sampleCount: 64,
  seed: 1,
});

await initBackend();
const { dataset: mnist } = await loadMnist();
const dataset = trainingImagesFromDataset(mnist, config.seed);
const out = args.out;
await mkdir(join(out, 'samples'), { recursive: true });

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

const resumeFrom = await latestCheckpoint(join(out, 'checkpoints'));
const started = performance.now();
const result = await train(config, {
  dataset,
  checkpointDir: join(out, 'checkpoints'),
  ...(resumeFrom ? { resumeFrom } : {}),
  signal: controller.signal,
  logger: {
    info: (m, d) => console.log(m, JSON.stringify(d ?? {})),
    warn: (m, d) => console.warn(m, JSON.stringify(d ?? {})),
  },
  callbacks: {
    onStep: ({ step, losses, stepsPerSec }) => {
      if (step % 25 === 0) {
        const minutes = ((performance.now() - started) / 60000).toFixed(1);
        console.log(
          `step ${step}  d ${losses.d.toFixed(4)}  g ${losses.g.toFixed(4)}  ${stepsPerSec.toFixed(2)} steps/s  ${minutes} min`,
        );
      }
    },
    onSamples: async ({ step, png }) => {
      await writeFile(join(out, 'samples', `step-${String(step).padStart(6, '0')}.png`), png);
      await writeFile(join(out, 'samples', 'latest.png'), png);
    },
  },
});
console.log(
  'result',
  JSON.stringify(result),
  `wall ${((performance.now() - started) / 1000).toFixed(0)} s`,
);

// Export the EMA generator of the last checkpoint, reload it as a browser would, draw a fresh grid.
if (result.checkpoint) {
  const generator = await generatorFromCheckpoint(result.checkpoint);
  await exportGenerator(generator, join(out, 'generator'), { step: result.step });
  generator.dispose();
  const { model } = await loadGenerator(join(out, 'generator'));
  const images = sample(model, { n: 64, seed: 7 });
  await writeFile(join(out, 'exported-generator-samples.png'), gridPng(images, 8));
  images.dispose();
  console.log(`exported the EMA generator to ${join(out, 'generator')}`);
}
