import {
  createTrainingState,
  disposeState,
  exportGenerator,
  readCheckpoint,
  restoreState,
  type GeneratorMetadata,
  type TrainConfig,
  type TrainingImages,
} from '@ganmod/gan-core';

/**
 * Exports the EMA generator of a checkpoint in TF.js Layers format (browser-loadable).
 * `images` supplies the image shape and class count the models were built for.
 */
export async function exportCheckpointGenerator(
  config: TrainConfig,
  images: Pick<TrainingImages, 'shape' | 'numClasses'>,
  checkpointDir: string,
  outDir: string,
  extra: Record<string, unknown> = {},
): Promise<GeneratorMetadata> {
  const data = await readCheckpoint(checkpointDir, config);
  const state = createTrainingState(
    config,
    images.shape,
    config.model === 'cdcgan' ? images.numClasses : 0,
  );
  try {
    await restoreState(state, data, checkpointDir);
    return await exportGenerator(state.generatorEma, outDir, {
      step: data.step,
      model: config.model,
      ...extra,
    });
  } finally {
    disposeState(state);
  }
}
