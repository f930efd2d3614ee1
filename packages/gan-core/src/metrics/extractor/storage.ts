import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { layersModelArtifacts, type LayersModelJson } from '../../export/model-artifacts.js';

/** File names inside a saved extractor directory (TF.js Layers format plus our metadata). */
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const INFO_FILE = 'extractor.json';

/**
 * Writes `model` in the TF.js Layers format (`model.json` + `weights.bin`, loadable by
 * `tf.loadLayersModel` in a browser too) and `info` as `extractor.json`. Plain `@tensorflow/tfjs`
 * has no `file://` handler in Node, hence the custom save handler. Files go to a temporary sibling
 * directory first and are renamed into place, so a reader never sees a half-written model.
 */
export async function saveLayersModel(
  model: tf.LayersModel,
  info: unknown,
  dir: string,
): Promise<void> {
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true });
  try {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weightData = tf.io.concatenateArrayBuffers(
          artifacts.weightData === undefined
            ? []
            : Array.isArray(artifacts.weightData)
              ? artifacts.weightData
              : [artifacts.weightData],
        );
        const modelJson = {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
        };
        await writeFile(join(staging, MODEL_FILE), JSON.stringify(modelJson));
        await writeFile(join(staging, WEIGHTS_FILE), new Uint8Array(weightData));
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    await writeFile(join(staging, INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Loads a model written by {@link saveLayersModel} (one weights file per manifest group). */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(join(dir, MODEL_FILE), 'utf8')) as LayersModelJson;
  const files: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const path of group.paths) files.push(await readFile(join(dir, path)));
  }
  return tf.loadLayersModel(tf.io.fromMemory(layersModelArtifacts(json, Buffer.concat(files))));
}

/** Reads and parses `extractor.json`, or undefined when the directory holds no saved extractor. */
export async function readInfo(dir: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(join(dir, INFO_FILE), 'utf8')) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
