import { exportGenerator, generatorFromCheckpoint, type GeneratorMetadata } from '@ganmod/gan-core';

/**
 * Exports the EMA generator of a checkpoint in TF.js Layers format (browser-loadable), with
 * `extra` (run id, step) in its metadata.
 */
export async function exportCheckpointGenerator(
  checkpointDir: string,
  outDir: string,
  extra: Record<string, unknown> = {},
): Promise<GeneratorMetadata> {
  const generator = await generatorFromCheckpoint(checkpointDir);
  try {
    return await exportGenerator(generator, outDir, extra);
  } finally {
    generator.dispose();
  }
}
