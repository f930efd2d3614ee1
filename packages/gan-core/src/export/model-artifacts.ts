/**
 * In-memory TF.js Layers models: `model.json`'s fields plus the weight bytes as the artifacts
 * `tf.io.fromMemory` loads. Plain @tensorflow/tfjs has no file:// handler in Node, so every loader
 * of a model directory (exported generators, saved extractors, moderation's detectors and NSFW
 * models) reads the files itself and builds its artifacts here.
 */
import type * as tf from '@tensorflow/tfjs';

/** The fields of a Layers-format `model.json` the loaders read. */
export interface LayersModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * Artifacts for `tf.io.fromMemory` from a `model.json` and its weights: the bytes of every file
 * the manifest lists, concatenated in manifest order (copied, so `weights` may be a view of a
 * larger buffer, as Node's pooled Buffers are).
 */
export function layersModelArtifacts(
  json: Pick<LayersModelJson, 'modelTopology'> & {
    weightsManifest: Pick<LayersModelJson['weightsManifest'][number], 'weights'>[];
  },
  weights: Uint8Array,
): tf.io.ModelArtifacts {
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: weights.buffer.slice(
      weights.byteOffset,
      weights.byteOffset + weights.byteLength,
    ) as ArrayBuffer,
  };
}
