import {
  exportGenerator,
  generatorFromCheckpoint,
  readCheckpointPrivacy,
  type GeneratorMetadata,
} from '@ganmod/gan-core';

/**
 * Exports the EMA generator of a checkpoint in TF.js Layers format (browser-loadable), with
 * `extra` (run id, step) in its metadata, and a private run's (ε, δ) and mechanism as `privacy`.
 */
export async function exportCheckpointGenerator(
  checkpointDir: string,
  outDir: string,
  extra: Record<string, unknown> = {},
): Promise<GeneratorMetadata> {
  const privacy = await readCheckpointPrivacy(checkpointDir);
  const generator = await generatorFromCheckpoint(checkpointDir);
  try {
    return await exportGenerator(
      generator,
      outDir,
      privacy === null ? extra : { ...extra, privacy: { mechanism: 'dp-sgd-d', ...privacy } },
    );
  } finally {
    generator.dispose();
  }
}
