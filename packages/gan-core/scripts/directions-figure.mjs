#!/usr/bin/env node
// The MNIST cDCGAN's named latent directions (docs/privacy.md, "Named latent directions"): trains
// the cDCGAN (unless <out> already holds its final checkpoint), exports its EMA generator with
// directions.json (image-statistic effects and the metric classifier's class-probability shift),
// draws docs/img/mnist-cdcgan-directions.png and prints the doc's table. Run after building:
//   nice -n 10 node scripts/directions-figure.mjs --out /tmp/cdcgan-directions [--steps 1000] [--batch 64]
// Phases: --phase train | figure | all (default).
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';

import { loadMnist } from '@ganmod/datasets';
import * as tf from '@tensorflow/tfjs';

import {
  directionStats,
  exportGenerator,
  generate,
  gridPng,
  generatorFromCheckpoint,
  initBackend,
  loadOrTrainFeatureExtractor,
  parseTrainConfig,
  train,
  writeLatentDirections,
} from '../dist/index.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const out = flag('--out', '/tmp/cdcgan-directions');
const steps = Number(flag('--steps', '1000'));
const batchSize = Number(flag('--batch', '64'));
const phase = flag('--phase', 'all');
const figure = flag(
  '--figure',
  new URL('../docs/img/mnist-cdcgan-directions.png', import.meta.url).pathname,
);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

const checkpoints = join(out, 'checkpoints');
const lastCheckpoint = async () => {
  const names = (await readdir(checkpoints).catch(() => [])).filter((n) => n.startsWith('step-'));
  return names.length === 0 ? null : join(checkpoints, names.sort().at(-1));
};

await initBackend({ logger: null });
await mkdir(out, { recursive: true });

if (phase === 'train' || phase === 'all') {
  const config = parseTrainConfig({
    model: 'cdcgan',
    dataset: { kind: 'mnist' },
    batchSize,
    steps,
    sampleEvery: 100,
    checkpointEvery: 100,
    seed: 1,
  });
  const resumeFrom = await lastCheckpoint();
  if (resumeFrom?.endsWith(String(steps).padStart(9, '0'))) {
    console.log(`${resumeFrom} is the final checkpoint: not training`);
  } else {
    const { dataset } = await loadMnist();
    const started = performance.now();
    console.log(`training cdcgan, batch ${batchSize}, ${steps} steps, load ${load()}`);
    const result = await train(config, {
      dataset,
      checkpointDir: checkpoints,
      ...(resumeFrom === null ? {} : { resumeFrom }),
      backend: 'current',
      callbacks: {
        onStep: ({ step, losses, stepsPerSec }) => {
          if (step % 25 === 0)
            console.log(
              `step ${step} ${JSON.stringify(losses)} ${stepsPerSec.toFixed(2)} steps/s, load ${load()}`,
            );
        },
        onSamples: ({ step, png }) =>
          writeFile(join(out, `samples-${String(step).padStart(6, '0')}.png`), png),
      },
    });
    console.log(
      `${result.status} at step ${result.step} in ${((performance.now() - started) / 1000).toFixed(0)} s, load ${load()}`,
    );
  }
}

if (phase === 'figure' || phase === 'all') {
  const checkpoint = await lastCheckpoint();
  if (checkpoint === null) throw new Error(`no checkpoint in ${checkpoints}: run --phase train`);
  const step = Number(checkpoint.split('step-')[1]);
  const generator = await generatorFromCheckpoint(checkpoint);
  // The trainer's metric classifier (same defaults and seed), cached beside the run.
  const [{ dataset: trainSet }, { dataset: testSet }] = await Promise.all([
    loadMnist(),
    loadMnist({ split: 'test' }),
  ]);
  const classifier = await loadOrTrainFeatureExtractor({
    train: trainSet,
    test: testSet,
    dir: join(out, 'metric-classifier'),
    log: console.log,
  });
  const exportDir = join(out, 'export');
  await exportGenerator(generator, exportDir, { step });
  const started = performance.now();
  const found = await writeLatentDirections(generator, exportDir, { classifier });
  console.log(
    `directions of step ${step} (${checkpoint}) in ${((performance.now() - started) / 1000).toFixed(1)} s, ` +
      `classifier test accuracy ${(classifier.info.testAccuracy * 100).toFixed(2)}%, load ${load()}`,
  );

  // Rows: the directions; columns: the same latents (one per label) from -span·v to +span·v,
  // groups separated by a blank (white) tile.
  const labels = (flag('--labels', '1,4,7,9') ?? '').split(',').map(Number);
  const moves = 7;
  const z = tf.randomNormal([labels.length, found.latentDim], 0, 1, 'float32', 11);
  const tiles = [];
  for (const direction of found.directions) {
    const v = tf.tensor2d([direction.vector]);
    labels.forEach((label, g) => {
      if (g > 0) tiles.push(tf.ones([1, 28, 28, 1]));
      const offsets = tf.linspace(-found.span, found.span, moves).reshape([moves, 1]);
      const latents = tf.add(
        tf.tile(z.slice([g, 0], [1, found.latentDim]), [moves, 1]),
        tf.mul(offsets, v),
      );
      tiles.push(generate(generator, latents, Array(moves).fill(label)));
    });
  }
  const grid = tf.concat(tiles);
  await mkdir(join(figure, '..'), { recursive: true });
  await writeFile(figure, gridPng(grid, labels.length * (moves + 1) - 1));
  console.log(`wrote ${figure}`);

  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const stats = directionStats.filter((s) => s !== 'redBlue');
  console.log(
    `\n| row | direction | variance | ${stats.join(' | ')} | class TV | flipped | rises | falls | p(label) −3v → +3v |`,
  );
  console.log(
    `| ${Array(stats.length + 8)
      .fill('---')
      .join(' | ')} |`,
  );
  found.directions.forEach((d, i) => {
    const s = d.classShift;
    console.log(
      `| ${i + 1} | \`${d.name}\` | ${pct(d.variance)} | ${stats.map((k) => (d.effects[k] ?? 0).toFixed(2)).join(' | ')} | ` +
        `${s.tv.toFixed(3)} | ${pct(s.flipped)} | ${s.rises.class} +${s.rises.by.toFixed(3)} | ${s.falls.class} ${s.falls.by.toFixed(3)} | ` +
        `${s.labelProbability.map((p) => p.toFixed(3)).join(' → ')} |`,
    );
  });
  generator.dispose();
  classifier.dispose();
}
