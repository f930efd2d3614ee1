/**
 * A synthetic-image detector on disk: `model.json` + `weights.bin` (TF.js layers format),
 * `detector.json` (what it was trained on) and `evaluation.json` (held-out AP/AUC). Apps record the
 * directory in the DB's `DetectorModel` row.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, layersModelArtifacts } from '@ganmod/gan-core';
import { z } from 'zod';
import { ModerationConfigError } from '../errors.js';
import type { SyntheticEvaluation, SyntheticModel } from './train.js';

const detectorJsonSchema = z.object({
  kind: z.literal('synthetic-image'),
  version: z.literal(1),
  inputShape: z.tuple([
    z.number().int().positive(),
    z.number().int().positive(),
    z.union([z.literal(1), z.literal(3)]),
  ]),
  realDataset: z.string(),
  generator: z.string(),
  savedAt: z.string(),
});

/** Saves a trained detector and its evaluation into `dir` (created if needed). */
export async function saveSyntheticModel(
  dir: string,
  trained: SyntheticModel,
  evaluation: SyntheticEvaluation,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await trained.model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
      await writeFile(join(dir, 'weights.bin'), weights);
      await writeFile(
        join(dir, 'model.json'),
        JSON.stringify({
          format: 'layers-model',
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const meta: z.infer<typeof detectorJsonSchema> = {
    kind: 'synthetic-image',
    version: 1,
    inputShape: trained.inputShape as [number, number, 1 | 3],
    realDataset: trained.realDataset,
    generator: trained.generator,
    savedAt: new Date().toISOString(),
  };
  await writeFile(join(dir, 'detector.json'), JSON.stringify(meta, null, 2));
  await writeFile(join(dir, 'evaluation.json'), JSON.stringify(evaluation, null, 2));
}

/**
 * Loads a detector saved by {@link saveSyntheticModel}.
 *
 * @throws {@link ModerationConfigError} naming the missing or invalid file.
 */
export async function loadSyntheticModel(
  dir: string,
): Promise<SyntheticModel & { evaluation: SyntheticEvaluation }> {
  await initBackend({ logger: null });
  const read = async (file: string): Promise<Buffer> => {
    try {
      return await readFile(join(dir, file));
    } catch (err) {
      throw new ModerationConfigError(
        `Synthetic detector dir ${dir}: cannot read ${file} (${(err as Error).message})`,
      );
    }
  };
  const parsed = detectorJsonSchema.safeParse(
    JSON.parse((await read('detector.json')).toString('utf8')),
  );
  if (!parsed.success)
    throw new ModerationConfigError(`${join(dir, 'detector.json')}: ${parsed.error.message}`);
  const json = JSON.parse((await read('model.json')).toString('utf8')) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const weights = await read('weights.bin');
  const model = await tf.loadLayersModel(tf.io.fromMemory(layersModelArtifacts(json, weights)));
  const evaluation = JSON.parse(
    (await read('evaluation.json')).toString('utf8'),
  ) as SyntheticEvaluation;
  return {
    model,
    inputShape: parsed.data.inputShape,
    realDataset: parsed.data.realDataset,
    generator: parsed.data.generator,
    evaluation,
  };
}
