/**
 * The toy-data path end to end on the real 8-Gaussian ring of @ganmod/datasets: config rules,
 * the toy-mlp architecture, point batches, scatter plots instead of sample grids, checkpoint ->
 * resume, checkpoint -> export -> reload. The mode-coverage test is gan-toy-ring.test.ts.
 */
import { join } from 'node:path';

import { RING8, sampleMixture, type ToyDataset } from '@ganmod/datasets';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generatorFromCheckpoint } from '../src/checkpoint/index.js';
import { ConfigError, parseTrainConfig, type TrainConfigInput } from '../src/config.js';
import { exportGenerator, loadGenerator } from '../src/export/index.js';
import { buildGan, ModelShapeError } from '../src/models/index.js';
import { sample, samplePoints, scatterPng } from '../src/sampling/index.js';
import {
  inMemoryPoints,
  isTrainingPoints,
  trainingDataFromDataset,
  trainingImagesFromDataset,
} from '../src/train/data.js';
import { train } from '../src/train/trainer.js';
import { collectLosses, setupBackend, tempDir } from './gan-helpers.js';

let root: string;
let cleanup: () => Promise<void>;
let ring: ToyDataset;
beforeAll(async () => {
  await setupBackend();
  ({ dir: root, cleanup } = await tempDir('toy'));
  ring = sampleMixture(RING8, { limit: 2000, seed: 5 }).dataset;
});
afterAll(() => cleanup());

const base = {
  dataset: { kind: 'ring8' },
  model: 'toy-mlp',
  latentDim: 4,
  batchSize: 32,
  sampleEvery: 0,
} as const satisfies TrainConfigInput;

function configIssues(input: unknown): { path: string; message: string }[] {
  try {
    parseTrainConfig(input);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  return [];
}

describe('toy-mlp config', () => {
  it('accepts toy-mlp on ring8 and grid25', () => {
    expect(parseTrainConfig(base).model).toBe('toy-mlp');
    expect(parseTrainConfig({ ...base, dataset: { kind: 'grid25' } }).dataset.kind).toBe('grid25');
  });

  it('refuses image models on point datasets, toy-mlp on images, and DiffAugment on points', () => {
    expect(configIssues({ dataset: { kind: 'ring8' }, model: 'dcgan' })).toEqual([
      {
        path: 'model',
        message:
          'dataset ring8 holds 2-D points: it trains with model toy-mlp (dcgan builds images)',
      },
    ]);
    expect(configIssues({ dataset: { kind: 'mnist' }, model: 'toy-mlp' })).toEqual([
      {
        path: 'model',
        message: 'model toy-mlp trains on 2-D point datasets (ring8, grid25), not mnist',
      },
    ]);
    expect(configIssues({ ...base, diffAugment: 'translation' })[0]?.path).toBe('diffAugment');
  });
});

describe('toy-mlp models', () => {
  it('are 3 x 128 MLPs: G z -> 2 linear, D 2 -> 1 logit, no BatchNorm', () => {
    const { generator, discriminator, numClasses } = buildGan('toy-mlp', {
      shape: [2],
      latentDim: 8,
    });
    expect(numClasses).toBe(0);
    expect(generator.outputs[0]?.shape).toEqual([null, 2]);
    expect(discriminator.outputs[0]?.shape).toEqual([null, 1]);
    // (8*128 + 128) + 2 * (128*128 + 128) + (128*2 + 2)
    expect(generator.countParams()).toBe(34_434);
    // (2*128 + 128) + 2 * (128*128 + 128) + (128 + 1)
    expect(discriminator.countParams()).toBe(33_537);
    const layerKinds = [...generator.layers, ...discriminator.layers].map((l) => l.getClassName());
    expect(layerKinds).not.toContain('BatchNormalization');
    generator.dispose();
    discriminator.dispose();
  });

  it('refuse the wrong kind of data with a message naming the fix', () => {
    expect(() => buildGan('toy-mlp', { shape: [28, 28, 1], latentDim: 8 })).toThrow(
      /toy-mlp trains on 2-D points \(shape \[2\]\), got samples of shape \[28, 28, 1\]/,
    );
    expect(() => buildGan('toy-mlp', { shape: [3], latentDim: 8 })).toThrow(ModelShapeError);
    expect(() => buildGan('dcgan', { shape: [2], latentDim: 8 })).toThrow(
      /are points, not images: .* train with model toy-mlp/,
    );
  });
});

describe('point data', () => {
  it('batches the ring in native coordinates (no [-1, 1] rescaling), reproducibly', () => {
    const data = trainingDataFromDataset(ring, 3);
    expect(isTrainingPoints(data)).toBe(true);
    if (!isTrainingPoints(data)) return;
    expect(data.shape).toEqual([2]);
    expect(data.size).toBe(2000);
    expect(data.numClasses).toBe(8);
    const a = data.batch(4, 100);
    const b = trainingDataFromDataset(ring, 3);
    const again = isTrainingPoints(b) ? b.batch(4, 100) : null;
    expect(a.points.shape).toEqual([100, 2]);
    const xy = a.points.dataSync();
    expect(Array.from(again?.points.dataSync() ?? [])).toEqual(Array.from(xy));
    // Every point lies on the radius-2 ring, within 5 std, next to its labelled centre.
    for (let i = 0; i < 100; i++) {
      const [cx, cy] = RING8.centres[a.labels?.[i] ?? -1] ?? [NaN, NaN];
      expect(Math.hypot((xy[2 * i] ?? 0) - cx, (xy[2 * i + 1] ?? 0) - cy)).toBeLessThan(0.1);
    }
    tf.dispose([a.points, again?.points ?? []]);
  });

  it('trainingImagesFromDataset points to trainingDataFromDataset for points', () => {
    expect(() => trainingImagesFromDataset(ring, 0)).toThrow(/use trainingDataFromDataset/);
  });

  it('inMemoryPoints refuses a ragged buffer', () => {
    expect(() => inMemoryPoints({ points: new Float32Array(5) })).toThrow(
      /not a positive multiple of one 2-D point/,
    );
  });
});

describe('scatterPng', () => {
  it('draws real points grey and generated points coloured, origin centred, y up', () => {
    const png = PNG.sync.read(Buffer.from(scatterPng([1, 1], [-1, -1], { size: 101, extent: 2 })));
    expect([png.width, png.height]).toEqual([101, 101]);
    const rgb = (x: number, y: number) => {
      const i = (y * png.width + x) * 4;
      return [png.data[i], png.data[i + 1], png.data[i + 2]];
    };
    // (1, 1) -> column 75, row 25 (y up); (-1, -1) -> column 25, row 75.
    expect(rgb(75, 25)).toEqual([170, 170, 170]);
    expect(rgb(25, 75)).toEqual([214, 69, 20]);
    expect(rgb(90, 10)).toEqual([255, 255, 255]);
    expect(() => scatterPng([1, 2, 3], [])).toThrow(/x, y pairs/);
  });
});

describe('train() on the ring', () => {
  it('emits scatter plots, samples points in onEval and frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const plots: { step: number; kind: string; png: Uint8Array; shape: number[] }[] = [];
    const evals: number[][] = [];
    const result = await train(
      { ...base, steps: 4, sampleEvery: 2, sampleCount: 50, evalEvery: 4 },
      {
        dataset: ring,
        callbacks: {
          onSamples: ({ step, kind, png, images, cols }) => {
            expect(cols).toBe(0);
            plots.push({ step, kind, png, shape: images.shape });
          },
          onEval: ({ sample: sampleImages, samplePoints: draw }) => {
            const points = draw(7, 1);
            evals.push(points.shape);
            points.dispose();
            expect(() => sampleImages(2, 1)).toThrow(/generates 2-D points.*samplePoints/);
          },
        },
      },
    );
    expect(result).toEqual({ status: 'completed', step: 4 });
    expect(plots.map((p) => [p.step, p.kind, p.shape])).toEqual([
      [2, 'scatter', [50, 2]],
      [4, 'scatter', [50, 2]],
    ]);
    expect(evals).toEqual([[7, 2]]);
    const png = PNG.sync.read(Buffer.from(plots[1]?.png ?? []));
    expect([png.width, png.height]).toEqual([400, 400]);
    const colours = new Set<string>();
    for (let i = 0; i < png.data.length; i += 4)
      colours.add(`${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`);
    expect(colours.has('170,170,170')).toBe(true); // the real ring
    expect(colours.has('214,69,20')).toBe(true); // generated points
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it.each<[string, TrainConfigInput]>([
    ['bce + R1', { ...base, r1Gamma: 0.1 }],
    ['wgan-gp', { ...base, loss: 'wgan-gp', gpWeight: 0.1 }],
  ])(
    '%s: resuming from a checkpoint continues the same trajectory',
    async (name, config) => {
      const run = async (dir: string, resumeFrom?: string) => {
        const { losses, onStep } = collectLosses();
        const result = await train(
          { ...config, steps: 6, checkpointEvery: 3 },
          {
            dataset: ring,
            checkpointDir: dir,
            callbacks: { onStep },
            ...(resumeFrom === undefined ? {} : { resumeFrom }),
          },
        );
        return { losses, result };
      };
      const slug = name.replace(/\W+/g, '-');
      const a = await run(join(root, `${slug}-a`));
      expect(a.result.status).toBe('completed');
      const b = await run(join(root, `${slug}-b`), join(root, `${slug}-a`, 'step-000000003'));
      expect(b.result).toMatchObject({ status: 'completed', step: 6 });
      expect(b.losses).toHaveLength(3);
      b.losses.forEach((losses, i) => {
        for (const [key, value] of Object.entries(a.losses[i + 3] ?? {})) {
          expect(Number.isFinite(value)).toBe(true);
          expect(losses[key]).toBeCloseTo(value ?? NaN, 5);
        }
      });
    },
    60_000,
  );

  it('exports the EMA point generator: reloads with identical points and an unbounded range', async () => {
    const ckptDir = join(root, 'export-ckpt');
    const result = await train({ ...base, steps: 3 }, { dataset: ring, checkpointDir: ckptDir });
    const generator = await generatorFromCheckpoint(result.checkpoint ?? '');
    const metadata = await exportGenerator(generator, join(root, 'export'), { step: 3 });
    expect(metadata).toMatchObject({ latentDim: 4, numClasses: 0, imageShape: [2], range: null });
    const { model } = await loadGenerator(join(root, 'export'));
    const a = samplePoints(generator, { n: 16, seed: 9 });
    const b = samplePoints(model, { n: 16, seed: 9 });
    expect(a.shape).toEqual([16, 2]);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(() => sample(model, { n: 2, seed: 1 })).toThrow(/samplePoints/);
    tf.dispose([a, b]);
    generator.dispose();
    model.dispose();
  }, 60_000);
});
