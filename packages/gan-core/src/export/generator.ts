/**
 * Generator export in the TF.js Layers format (`model.json` + one weights `.bin`), which
 * `tf.loadLayersModel('https://.../model.json')` loads in a browser. Plain @tensorflow/tfjs has no
 * file:// handler in Node, so saving goes through `tf.io.withSaveHandler` and loading through
 * `tf.io.fromMemory`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { writeFileSynced } from '../checkpoint/synced-write.js';
import { selfConditioningThresholds } from '../models/self-conditioned.js';
import { generatorSignature } from '../sampling/sample.js';
import { layersModelArtifacts } from './model-artifacts.js';

export const modelJsonFile = 'model.json';
export const weightsFile = 'group1-shard1of1.bin';

/** Facts about an exported generator, kept in model.json's `userDefinedMetadata.ganmod`. */
export interface GeneratorMetadata {
  latentDim: number;
  /** 0 for unconditional generators; conditional ones take a one-hot label as their second input. */
  numClasses: number;
  /** `[height, width, channels]` of the generated images; `[2]` for a point generator (toy-mlp). */
  imageShape: number[];
  /** Output range of the pixels; null for a point generator, whose linear output is unbounded. */
  range: [-1, 1] | null;
  /** sha256 of the weights file, checked by {@link loadGenerator}. */
  weightsSha256: string;
  /**
   * Self-conditioned generators only: the cut points on z[0] between their clusters
   * (models/self-conditioned.ts; `latentIntoCluster` draws one cluster).
   */
  clusterThresholds?: number[];
  [key: string]: unknown;
}

/** Thrown when an exported generator directory is missing files or does not match its model.json. */
export class ExportError extends Error {
  override readonly name = 'ExportError';
}

function concatWeightData(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const buffers = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out;
}

/**
 * Saves `generator` to `dir` (created; replaced atomically if it exists) as `model.json` plus
 * `group1-shard1of1.bin`. `extra` is merged into the metadata (e.g. run id, step).
 * @returns the metadata written.
 */
export async function exportGenerator(
  generator: tf.LayersModel,
  dir: string,
  extra: Record<string, unknown> = {},
): Promise<GeneratorMetadata> {
  const { latentDim, numClasses } = generatorSignature(generator);
  const thresholds = selfConditioningThresholds(generator);
  const outShape = generator.outputs[0]?.shape.slice(1);
  if (outShape === undefined || outShape.some((d) => d == null)) {
    throw new ExportError(`${generator.name} has no fully defined image output`);
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  let metadata: GeneratorMetadata | undefined;
  await generator.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (artifacts.weightSpecs === undefined || artifacts.weightData === undefined) {
        throw new ExportError('the model produced no weights to save');
      }
      const weights = concatWeightData(artifacts.weightData);
      metadata = {
        ...extra,
        latentDim,
        numClasses,
        imageShape: outShape as number[],
        range: outShape.length === 1 ? null : [-1, 1],
        ...(thresholds === null ? {} : { clusterThresholds: Array.from(thresholds) }),
        weightsSha256: createHash('sha256').update(weights).digest('hex'),
      };
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs }],
        userDefinedMetadata: { ganmod: metadata },
      };
      await writeFileSynced(join(tmp, weightsFile), weights);
      await writeFileSynced(join(tmp, modelJsonFile), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  if (metadata === undefined) throw new ExportError('the save handler was not called');
  return metadata;
}

/** A generator loaded back from an export directory. */
export interface LoadedGenerator {
  model: tf.LayersModel;
  metadata: GeneratorMetadata;
}

/**
 * Loads an exported generator in Node (the browser loads the same directory with `tf.loadLayersModel`).
 * @throws ExportError when files are missing or the weights do not match model.json.
 */
export async function loadGenerator(dir: string): Promise<LoadedGenerator> {
  let json: {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    userDefinedMetadata?: { ganmod?: GeneratorMetadata };
  };
  try {
    json = JSON.parse(await readFile(join(dir, modelJsonFile), 'utf8')) as typeof json;
  } catch (err) {
    throw new ExportError(`cannot read ${join(dir, modelJsonFile)}: ${(err as Error).message}`);
  }
  const manifest = json.weightsManifest;
  const metadata = json.userDefinedMetadata?.ganmod;
  if (json.modelTopology === undefined || manifest === undefined || metadata === undefined) {
    throw new ExportError(`${join(dir, modelJsonFile)} is not a ganmod generator export`);
  }
  const buffers: Uint8Array[] = [];
  for (const group of manifest) {
    for (const path of group.paths) {
      try {
        buffers.push(await readFile(join(dir, path)));
      } catch {
        throw new ExportError(`missing weights file ${join(dir, path)}`);
      }
    }
  }
  const weights = concatWeightData(buffers.map((b) => b.slice().buffer));
  if (createHash('sha256').update(weights).digest('hex') !== metadata.weightsSha256) {
    throw new ExportError(
      `weights in ${dir} do not match the sha256 in model.json (corrupted or replaced)`,
    );
  }
  const model = await tf.loadLayersModel(
    tf.io.fromMemory(
      layersModelArtifacts(
        { modelTopology: json.modelTopology, weightsManifest: manifest },
        weights,
      ),
    ),
  );
  return { model, metadata };
}
