/**
 * `pnpm --filter @ganmod/gan-core bench:metrics`: trains (or reloads) the metric classifier of
 * MNIST, Fashion-MNIST or the emoji avatars and prints the reference values that make generator scores readable:
 * real-vs-real, real-vs-train, real-vs-noise and real-vs-the-other-dataset metrics, and the
 * nearest-training-image distances of fresh test images (the memorization audit's baseline).
 *
 *   node dist/metrics/bench.js [--dataset mnist|fashion-mnist|emoji] [--n 5000] [--retrain]
 *        [--backend tensorflow|wasm|cpu]
 *
 * The classifier is cached in <GANMOD_DATA_DIR or ./data>/metric-models/<key>/.
 */
import { parseArgs } from 'node:util';
import { loadEmoji, loadFashionMnist, loadMnist, type Dataset, type Split } from '@ganmod/datasets';
import { initBackend, parseBackendName } from '../backend/index.js';
import type { MetricDataset } from './dataset.js';
import { sampleLength } from './dataset.js';
import { compareEmbeddings, computeReference, type QualityMetrics } from './evaluate.js';
import { loadOrTrainFeatureExtractor } from './extractor/cache.js';
import type { Embedding, FeatureExtractor } from './extractor/feature-extractor.js';
import { kNearestNeighbors } from './neighbors.js';
import { featureMatrix } from './stats/matrix.js';
import { sampleWithoutReplacement, seededRandom } from './stats/rng.js';

type Loader = (split: Split) => Promise<{ dataset: Dataset }>;
const LOADERS = {
  mnist: (split) => loadMnist({ split }),
  'fashion-mnist': (split) => loadFashionMnist({ split }),
  emoji: (split) => loadEmoji({ split }),
} as const satisfies Record<string, Loader>;
type Name = keyof typeof LOADERS;
/** The unrelated set of the same shape each dataset is also compared with. */
const OTHER: Record<Name, { name: string; load: Loader }> = {
  mnist: { name: 'fashion-mnist', load: LOADERS['fashion-mnist'] },
  'fashion-mnist': { name: 'mnist', load: LOADERS.mnist },
  emoji: { name: 'mnist 64x64x3', load: (split) => loadMnist({ split, size: 64, channels: 3 }) },
};

function subset(d: MetricDataset, indices: Int32Array, name: string): MetricDataset {
  const len = sampleLength(d);
  const data = new Float32Array(indices.length * len);
  const labels = new Int32Array(indices.length);
  indices.forEach((i, k) => {
    data.set(d.data.subarray(i * len, (i + 1) * len), k * len);
    labels[k] = d.labels[i] as number;
  });
  return { name, shape: d.shape, classNames: d.classNames, size: indices.length, data, labels };
}

function row(label: string, m: QualityMetrics, seconds: number): string {
  const f = (v: number, digits = 3) => v.toFixed(digits);
  return [
    label.padEnd(22),
    f(m.fid, 2).padStart(9),
    `${f(m.kid.mean)} ± ${f(m.kid.std)}`.padStart(18),
    `${f(m.is.mean, 2)} ± ${f(m.is.std, 2)}`.padStart(13),
    f(m.precision).padStart(6),
    f(m.recall).padStart(6),
    f(m.density).padStart(7),
    f(m.coverage).padStart(6),
    `${seconds.toFixed(1)} s`.padStart(8),
  ].join('  ');
}

function quantiles(values: Float64Array): string {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return [0, 0.001, 0.01, 0.05, 0.5]
    .map((q) => `${q === 0 ? 'min' : `q${q * 100}%`} ${at(q).toFixed(3)}`)
    .join(', ');
}

async function nearestTrainDistances(
  fresh: MetricDataset,
  train: MetricDataset,
  extractor: FeatureExtractor,
): Promise<{ pixel: Float64Array; feature: Float64Array }> {
  const len = sampleLength(train);
  const pixelNn = await kNearestNeighbors(
    featureMatrix(fresh.data, fresh.size, len),
    featureMatrix(train.data, train.size, len),
    1,
  );
  const trainFeatures = (await extractor.embedDataset(train)).features;
  const freshFeatures = (await extractor.embedDataset(fresh)).features;
  const featureNn = await kNearestNeighbors(freshFeatures, trainFeatures, 1);
  return {
    pixel: pixelNn.distances.map((d) => d / Math.sqrt(len)),
    feature: featureNn.distances.map((d) => d / Math.sqrt(trainFeatures.cols)),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: 'mnist' },
      n: { type: 'string', default: '5000' },
      retrain: { type: 'boolean', default: false },
      backend: { type: 'string' },
    },
  });
  if (!(values.dataset in LOADERS))
    throw new Error(`--dataset must be one of ${Object.keys(LOADERS).join(', ')}`);
  const name = values.dataset as Name;
  const other = OTHER[name];
  const n = Number(values.n);
  if (!Number.isInteger(n) || n < 10 || n > 5000)
    throw new Error('--n must be an integer in 10..5000');
  await initBackend(
    values.backend !== undefined ? { backend: parseBackendName(values.backend, '--backend') } : {},
  );

  const [train, test, otherTest] = await Promise.all([
    LOADERS[name]('train').then((r) => r.dataset),
    LOADERS[name]('test').then((r) => r.dataset),
    other.load('test').then((r) => r.dataset),
  ]);
  const log = (line: string) => console.log(line);
  const extractor = await loadOrTrainFeatureExtractor({
    train,
    test,
    retrain: values.retrain,
    log,
  });
  const { info } = extractor;
  console.log(
    `classifier ${info.key}: ${info.architecture}, test accuracy ${(info.testAccuracy * 100).toFixed(2)}% ` +
      `(${info.trainSamples} train images x ${info.epochs} epochs, ${info.trainingSeconds.toFixed(0)} s on ${info.backend}, ${extractor.origin})`,
  );

  // Two disjoint random halves of the test split: the real-vs-real baseline.
  const order = sampleWithoutReplacement(test.size, test.size, seededRandom(7));
  const halfA = subset(test, order.subarray(0, test.size / 2), `${name}-test-a`);
  const halfB = subset(test, order.subarray(test.size / 2), `${name}-test-b`);
  const reference = await computeReference(extractor, halfA, n, 1);
  const random = seededRandom(3);
  const noise = Float32Array.from({ length: n * sampleLength(test) }, () => 2 * random() - 1);
  const candidates: [string, () => Promise<Embedding>][] = [
    [`${name} test B`, () => computeReference(extractor, halfB, n, 2).then((r) => r.embedding)],
    [`${name} train`, () => computeReference(extractor, train, n, 3).then((r) => r.embedding)],
    ['uniform noise', () => extractor.embedArray(noise, n)],
    [
      `${other.name} test`,
      () => computeReference(extractor, otherTest, n, 4).then((r) => r.embedding),
    ],
  ];
  console.log(`\nreal = ${name} test A (${n} images) vs:`);
  console.log(
    [
      'set'.padEnd(22),
      'FID'.padStart(9),
      'KID'.padStart(18),
      'IS'.padStart(13),
      'prec'.padStart(6),
      'rec'.padStart(6),
      'dens'.padStart(7),
      'cov'.padStart(6),
      'time'.padStart(8),
    ].join('  '),
  );
  for (const [label, embed] of candidates) {
    const started = performance.now();
    const metrics = await compareEmbeddings(reference, await embed());
    console.log(row(label, metrics, (performance.now() - started) / 1000));
  }

  const fresh = subset(test, order.subarray(0, 1000), `${name}-fresh`);
  const started = performance.now();
  const d = await nearestTrainDistances(fresh, train, extractor);
  console.log(
    `\nnearest training image of 1000 test images (RMS per value; ${((performance.now() - started) / 1000).toFixed(1)} s):`,
  );
  console.log(`  pixel:   ${quantiles(d.pixel)}`);
  console.log(`  feature: ${quantiles(d.feature)}`);
  extractor.dispose();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
