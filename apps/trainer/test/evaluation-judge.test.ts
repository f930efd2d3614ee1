// evalJudge: periodic evaluations scored in the explicit detector's MobileNetV2 features, here on
// an image folder without classes (no metric classifier, so before this no quality metric at all).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng, loadDataset, type Dataset } from '@ganmod/datasets';
import {
  buildDcganGenerator,
  initBackend,
  parseTrainConfig,
  type EvalContext,
  type TrainConfig,
} from '@ganmod/gan-core';
import type * as tf from '@tensorflow/tfjs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvaluator } from '../src/training/evaluation.js';

const SAMPLES = 48;

/** An evaluation context around `generator` (only what the image evaluator reads). */
function context(config: TrainConfig, generator: tf.LayersModel): EvalContext {
  return {
    step: 10,
    config,
    generator,
    sample: () => {
      throw new Error('not used');
    },
    samplePoints: () => {
      throw new Error('not used');
    },
  };
}

describe('evaluations with evalJudge on a colour image folder without classes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ganmod-judge-folder-'));
  let trainSet: Dataset;
  let generator: tf.LayersModel;
  const spec = { kind: 'folder' as const, path: dir, size: 32, channels: 3 as const };

  beforeAll(async () => {
    await initBackend({ logger: null });
    // 24 colour images: a disc of one colour on a background of another, radius varying.
    for (let i = 0; i < 24; i++) {
      const side = 48;
      const radius = 4 + (i % 12);
      const pixels = new Uint8Array(side * side * 3);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const inside = (x - 24) ** 2 + (y - 24) ** 2 < radius * radius;
          const rgb = inside ? [20, (i * 53) % 256, 120] : [(i * 37) % 256, 200, (i * 91) % 256];
          pixels.set(rgb, (y * side + x) * 3);
        }
      }
      writeFileSync(join(dir, `image-${i}.png`), encodePng(pixels, side, side, 3));
    }
    trainSet = (await loadDataset({ ...spec, split: 'train' })).dataset;
    generator = buildDcganGenerator({ shape: [32, 32, 3], latentDim: 16 });
  });
  afterAll(() => {
    generator?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs judge FID, KID, precision and recall, and nothing from a classifier it cannot have', async () => {
    const config = parseTrainConfig({ dataset: spec, model: 'dcgan', evalJudge: true });
    const evaluate = createEvaluator(config, trainSet, pino({ level: 'silent' }), SAMPLES);
    const values = await evaluate(context(config, generator));
    expect(Object.keys(values).sort()).toEqual([
      'eval/judge_fid',
      'eval/judge_kid',
      'eval/judge_precision',
      'eval/judge_recall',
    ]);
    // An untrained generator draws nothing like the rings: far from them, covering none.
    expect(values['eval/judge_fid']).toBeGreaterThan(50);
    expect(values['eval/judge_recall']).toBe(0);
    // Asked again (a later evaluation), the judge is reused and draws the next latents.
    const again = await evaluate(context(config, generator));
    expect(Number.isFinite(again['eval/judge_fid'])).toBe(true);
  });

  it('without evalJudge the folder has no quality metrics, as before', async () => {
    const config = parseTrainConfig({ dataset: spec, model: 'dcgan' });
    const evaluate = createEvaluator(config, trainSet, pino({ level: 'silent' }), SAMPLES);
    expect(await evaluate(context(config, generator))).toEqual({});
  });
});
