/** Rebuilding a generator from a checkpoint, e.g. to export or promote a run's model. */
import type * as tf from '@tensorflow/tfjs';

import { buildGenerator } from '../models/index.js';
import { restoreModel } from '../train/state.js';
import { readCheckpoint } from './read.js';

/**
 * Builds the generator described by the checkpoint in `dir` and loads its weights: the EMA copy by
 * default (what samples are drawn from), or the raw generator with `{ ema: false }`.
 * @throws CheckpointError when the checkpoint is missing or corrupted.
 */
export async function generatorFromCheckpoint(
  dir: string,
  { ema = true } = {},
): Promise<tf.LayersModel> {
  const data = await readCheckpoint(dir);
  const generator = buildGenerator(data.config.model, {
    shape: data.imageShape,
    latentDim: data.config.latentDim,
    generatorWidth: data.config.generatorWidth,
    ...(data.numClasses > 0 ? { numClasses: data.numClasses } : {}),
  });
  try {
    restoreModel(
      generator,
      data.groups[ema ? 'generatorEma' : 'generator'].tensors,
      'generator',
      dir,
    );
  } catch (err) {
    generator.dispose();
    throw err;
  }
  return generator;
}
