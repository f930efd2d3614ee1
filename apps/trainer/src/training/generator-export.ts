import {
  cachedMetricClassifier,
  exportGenerator,
  exportPrivacy,
  generatorFromCheckpoint,
  readCheckpointPrivacy,
  writeLatentDirections,
  type GeneratorMetadata,
  type MetricDataset,
} from '@ganmod/gan-core';

/**
 * Exports the EMA generator of a checkpoint in TF.js Layers format (browser-loadable), with
 * `extra` (run id, step) in its metadata, and a private run's (ε, δ) and mechanism as `privacy`;
 * image generators also get their named latent directions (`directions.json`), with each one's
 * class-probability shift when `dataset` (the run's training set) has a cached metric classifier.
 */
export async function exportCheckpointGenerator(
  checkpointDir: string,
  outDir: string,
  extra: Record<string, unknown> = {},
  dataset?: Pick<MetricDataset, 'name' | 'shape' | 'classNames'>,
): Promise<GeneratorMetadata> {
  const privacy = await readCheckpointPrivacy(checkpointDir);
  const generator = await generatorFromCheckpoint(checkpointDir);
  const classifier = dataset === undefined ? undefined : await cachedMetricClassifier(dataset);
  try {
    const metadata = await exportGenerator(
      generator,
      outDir,
      privacy === null ? extra : { ...extra, privacy: exportPrivacy(privacy) },
    );
    // Named GANSpace directions beside model.json, for the playground.
    await writeLatentDirections(generator, outDir, classifier === undefined ? {} : { classifier });
    return metadata;
  } finally {
    generator.dispose();
    classifier?.dispose();
  }
}
