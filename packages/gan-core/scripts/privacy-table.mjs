#!/usr/bin/env node
// The utility/leakage table of docs/privacy.md: MNIST cDCGAN trained at ε = 1, ε = 10 (σ derived
// from the target) and without privacy on the same step budget, then for each generator: a
// classifier trained only on synthetic digits and tested on the real 10k test split, FID (project
// metric classifier), the memorization audit and the membership-inference attack.
//
//   nice -n 10 node scripts/privacy-table.mjs train <root> <name> [--epsilon e] [--steps n] [--batch b]
//   nice -n 10 node scripts/privacy-table.mjs export <root> <name> [--step n]
//   nice -n 10 node scripts/privacy-table.mjs grid <root> <name>...   (<root>/<name>/grid.png)
//   nice -n 10 node scripts/privacy-table.mjs eval <root> <name>... [--synthetic n] [--fid-n n]
//       [--dataset mnist|fashion-mnist]   (eval: the real set the synthetic images are judged on)
//
// `train` writes <root>/<name>/checkpoints and the exported EMA generator <root>/<name>/export;
// `export` re-exports a run's generator from its checkpoint at `--step` (default: the latest), with the
// ε the checkpoint recorded: a step budget cut short by the clock is then the same for every run.
// `eval` prints one JSON line per run and a Markdown table (the runs can train in parallel).
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';

import { loadDataset, loadMnist } from '@ganmod/datasets';
import * as tf from '@tensorflow/tfjs';

import {
  evaluateGenerator,
  exportGenerator,
  featureMatrix,
  generate,
  generatorFromCheckpoint,
  gridPng,
  initBackend,
  latestCheckpoint,
  loadGenerator,
  loadOrTrainFeatureExtractor,
  membershipAttack,
  memorizationAudit,
  parseTrainConfig,
  readCheckpointPrivacy,
  train,
  trainFeatureExtractor,
} from '../dist/index.js';

const [command, root, ...rest] = process.argv.slice(2);
const switches = new Set(['--no-reference', '--accuracy-only']);
const names = rest.filter(
  (a, i) => !a.startsWith('--') && !(rest[i - 1]?.startsWith('--') && !switches.has(rest[i - 1])),
);
const flag = (name, fallback) => {
  const i = rest.indexOf(name);
  return i < 0 ? fallback : Number(rest[i + 1]);
};
const datasetIndex = rest.indexOf('--dataset');
const datasetKind = datasetIndex < 0 ? 'mnist' : rest[datasetIndex + 1];
if (datasetKind !== 'mnist' && datasetKind !== 'fashion-mnist') {
  process.stderr.write(`--dataset must be mnist or fashion-mnist, got ${datasetKind}\n`);
  process.exit(2);
}
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
if (
  root === undefined ||
  names.length === 0 ||
  !['train', 'export', 'eval', 'grid'].includes(command ?? '')
) {
  process.stderr.write(
    'usage: privacy-table.mjs train <root> <name> [--epsilon e] [--steps n] [--batch b]\n' +
      '       privacy-table.mjs eval <root> <name>... [--synthetic n] [--fid-n n]\n',
  );
  process.exit(2);
}

async function trainRun(name) {
  const epsilon = flag('--epsilon', 0);
  const config = parseTrainConfig({
    model: 'cdcgan',
    dataset: { kind: 'mnist' },
    batchSize: flag('--batch', 64),
    steps: flag('--steps', 500),
    sampleEvery: 0,
    checkpointEvery: 50,
    seed: 0,
    ...(epsilon > 0 ? { privacy: { targetEpsilon: epsilon, delta: 1e-5 } } : {}),
  });
  await initBackend({ logger: null });
  const { dataset } = await loadMnist({ split: 'train' });
  const started = performance.now();
  const dir = join(root, name);
  // SIGTERM ends the run after the current step, with a checkpoint and an export (ε as spent).
  const abort = new AbortController();
  process.on('SIGTERM', () => abort.abort());
  const result = await train(config, {
    dataset,
    signal: abort.signal,
    checkpointDir: join(dir, 'checkpoints'),
    backend: 'current',
    logger: { info: () => {}, warn: (m) => console.warn(m) },
    callbacks: {
      onStep: ({ step, losses, stepsPerSec, privacy }) => {
        if (step % 25 === 0 || step === config.steps)
          console.log(
            JSON.stringify({
              name,
              step,
              d: +losses.d.toFixed(3),
              g: +losses.g.toFixed(3),
              stepsPerSec: +stepsPerSec.toFixed(3),
              ...(privacy ? { epsilon: +privacy.epsilon.toFixed(3) } : {}),
              load: load(),
            }),
          );
      },
    },
  });
  if (result.checkpoint === undefined) throw new Error(`${name}: no checkpoint written`);
  const generator = await generatorFromCheckpoint(result.checkpoint);
  await exportGenerator(generator, join(dir, 'export'), {
    step: result.step,
    ...(result.privacy ? { privacy: { mechanism: 'dp-sgd-d', ...result.privacy } } : {}),
  });
  const summary = {
    name,
    status: result.status,
    steps: result.step,
    batchSize: config.batchSize,
    seconds: (performance.now() - started) / 1000,
    privacy: result.privacy ?? null,
    load: load(),
  };
  await writeFile(join(dir, 'train.json'), JSON.stringify(summary, null, 2));
  console.log(JSON.stringify(summary));
}

/** `n` digits of `model`, labels 0..9 in turn, as a MetricDataset (latents from `seed`). */
function synthesize(model, latentDim, n, seed, classNames) {
  const data = new Float32Array(n * 784);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  for (let start = 0, draw = 0; start < n; start += 500, draw++) {
    const count = Math.min(500, n - start);
    const images = tf.tidy(() =>
      generate(
        model,
        tf.randomNormal([count, latentDim], 0, 1, 'float32', seed + draw),
        labels.subarray(start, start + count),
      ),
    );
    data.set(images.dataSync(), start * 784);
    images.dispose();
  }
  return { name: 'synthetic', shape: [28, 28, 1], classNames, size: n, data, labels };
}

const head = (set, n) => ({
  ...set,
  size: n,
  data: set.data.subarray(0, n * 784),
  labels: set.labels.subarray(0, n),
});

async function evalRuns() {
  const nSynthetic = flag('--synthetic', 10000);
  const fidN = flag('--fid-n', 2000);
  const auditN = flag('--audit-n', 1000);
  const attackN = flag('--attack-n', 1000);
  // The classifier trained on synthetic digits: the project's metric classifier layout, 3 epochs.
  const classifier = { epochs: 3, maxTrainSamples: nSynthetic, seed: 1 };
  await initBackend({ logger: null });
  const { dataset: trainSet } = await loadDataset({ kind: datasetKind, split: 'train' });
  const { dataset: testSet } = await loadDataset({ kind: datasetKind, split: 'test' });
  const extractor = await loadOrTrainFeatureExtractor({
    train: trainSet,
    test: testSet,
    dir: join(root, 'metric-classifier'),
  });
  const rows = [];
  // Reference: the same classifier trained on as many real training digits (--no-reference: skip).
  if (!rest.includes('--no-reference')) {
    const t0 = performance.now();
    const real = await trainFeatureExtractor(head(trainSet, nSynthetic), testSet, classifier);
    rows.push({ name: 'real digits (reference)', accuracy: real.info.testAccuracy });
    console.log(
      JSON.stringify({ ...rows[0], seconds: (performance.now() - t0) / 1000, load: load() }),
    );
    real.dispose();
  }
  const members = featureMatrix(trainSet.data.slice(0, attackN * 784), attackN, 784);
  const nonMembers = featureMatrix(testSet.data.slice(0, attackN * 784), attackN, 784);
  for (const name of names) {
    const started = performance.now();
    const { model, metadata } = await loadGenerator(join(root, name, 'export'));
    const synthetic = synthesize(model, metadata.latentDim, nSynthetic, 4242, trainSet.classNames);
    const trained = await trainFeatureExtractor(synthetic, testSet, classifier);
    const accuracy = trained.info.testAccuracy;
    trained.dispose();
    if (rest.includes('--accuracy-only')) {
      // Sweeps: synthetic → real accuracy alone (FID, audit and attack cost minutes more).
      const row = {
        name,
        epsilon: metadata.privacy?.epsilon ?? null,
        noiseMultiplier: metadata.privacy?.noiseMultiplier ?? null,
        step: metadata.step,
        accuracy,
        seconds: (performance.now() - started) / 1000,
        load: load(),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
      model.dispose();
      continue;
    }
    let draw = 0;
    const quality = await evaluateGenerator({
      extractor,
      dataset: testSet,
      n: fidN,
      conditional: true,
      generate: (n, labels) =>
        tf.tidy(() =>
          generate(
            model,
            tf.randomNormal([n, metadata.latentDim], 0, 1, 'float32', 7919 + draw++),
            labels,
          ),
        ),
    });
    const samples = tf.tensor4d(synthetic.data.subarray(0, auditN * 784), [auditN, 28, 28, 1]);
    // Threshold 0.08: the 0.1% quantile of real test digits' distances to the training split
    // (docs/metrics.md; calibrating again costs 1000 × 60k distances per run).
    const audit = await memorizationAudit({ samples, training: trainSet, threshold: 0.08 });
    samples.dispose();
    const attack = await membershipAttack({
      generated: featureMatrix(
        synthetic.data.slice(0, Math.min(2000, nSynthetic) * 784),
        Math.min(2000, nSynthetic),
        784,
      ),
      members,
      nonMembers,
    });
    const minDistance = audit.distance.reduce((m, v) => Math.min(m, v), Infinity);
    const row = {
      name,
      epsilon: metadata.privacy?.epsilon ?? null,
      noiseMultiplier: metadata.privacy?.noiseMultiplier ?? null,
      step: metadata.step,
      accuracy,
      fid: quality.fid,
      is: quality.is.mean,
      precision: quality.precision,
      recall: quality.recall,
      conditionalAccuracy: quality.conditionalAccuracy,
      flaggedFraction: audit.flaggedFraction,
      auditThreshold: audit.threshold,
      minDistance,
      membershipAuc: attack.auc,
      seconds: (performance.now() - started) / 1000,
      load: load(),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
    model.dispose();
  }
  const f = (v, d = 3) => (v === null || v === undefined ? '' : Number(v).toFixed(d));
  console.log(
    `\n| run | ε (δ 1e-5) | σ | steps | synthetic→real accuracy | FID | IS | precision | recall | cond. acc. | audit flagged | min dist. | membership AUC |\n` +
      `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n` +
      rows
        .map((r) =>
          r.fid === undefined
            ? `| ${r.name} | | | | ${f(r.accuracy * 100, 1)}% | | | | | | | | |`
            : `| ${r.name} | ${r.epsilon === null ? '∞' : f(r.epsilon, 2)} | ${f(r.noiseMultiplier)} | ${r.step} | ${f(r.accuracy * 100, 1)}% | ${f(r.fid, 1)} | ${f(r.is, 2)} | ${f(r.precision)} | ${f(r.recall)} | ${f(r.conditionalAccuracy)} | ${f(r.flaggedFraction * 100, 1)}% | ${f(r.minDistance)} | ${f(r.membershipAuc)} |`,
        )
        .join('\n'),
  );
  await writeFile(join(root, `table-${names.join('-')}.json`), JSON.stringify(rows, null, 2));
}

/** Exports run `name`'s EMA generator from its checkpoint at `--step` (default: the latest). */
async function exportRun(name) {
  await initBackend({ logger: null });
  const step = flag('--step', 0);
  const checkpoints = join(root, name, 'checkpoints');
  const dir =
    step > 0
      ? join(checkpoints, `step-${String(step).padStart(9, '0')}`)
      : await latestCheckpoint(checkpoints);
  if (dir === null) throw new Error(`${name}: no checkpoint`);
  const privacy = await readCheckpointPrivacy(dir);
  const generator = await generatorFromCheckpoint(dir);
  const metadata = await exportGenerator(generator, join(root, name, 'export'), {
    step: Number(/step-(\d+)/.exec(dir)?.[1]),
    ...(privacy ? { privacy: { mechanism: 'dp-sgd-d', ...privacy } } : {}),
  });
  console.log(JSON.stringify({ name, checkpoint: dir, step: metadata.step, privacy }));
}

/** A 10 × 10 grid per run (row = class), the same latents for every run. */
async function grids() {
  await initBackend({ logger: null });
  for (const name of names) {
    const { model, metadata } = await loadGenerator(join(root, name, 'export'));
    const labels = Array.from({ length: 100 }, (_, i) => Math.floor(i / 10));
    const images = tf.tidy(() =>
      generate(model, tf.randomNormal([100, metadata.latentDim], 0, 1, 'float32', 11), labels),
    );
    await writeFile(join(root, name, 'grid.png'), gridPng(images, 10));
    images.dispose();
    model.dispose();
  }
}

if (command === 'grid') await grids();
else if (command === 'train') await trainRun(names[0]);
else if (command === 'export') await exportRun(names[0]);
else await evalRuns();
