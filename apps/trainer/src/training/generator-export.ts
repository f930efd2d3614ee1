import {
  exportGenerator,
  exportPrivacy,
  generatorFromCheckpoint,
  readCheckpointPrivacy,
  writeLatentDirections,
  type GeneratorMetadata,
} from '@ganmod/gan-core';

/**
 * Exports the EMA generator of a checkpoint in TF.js Layers format (browser-loadable), with
 * `extra` (run id, step) in its metadata, and a private run's (ε, δ) and mechanism as `privacy`;
 * image generators also get their named latent directions (`directions.json`).
 */
export async function exportCheckpointGenerator(
  checkpointDir: string,
  outDir: string,
  extra: Record<string, unknown> = {},
): Promise<GeneratorMetadata> {
  const privacy = await readCheckpointPrivacy(checkpointDir);
  const generator = await generatorFromCheckpoint(checkpointDir);
  try {
    const metadata = await exportGenerator(
      generator,
      outDir,
      privacy === null ? extra : { ...extra, privacy: exportPrivacy(privacy) },
    );
    // Named GANSpace directions beside model.json, for the playground.
    await writeLatentDirections(generator, outDir);
    return metadata;
  } finally {
    generator.dispose();
  }
}
