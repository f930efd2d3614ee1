/**
 * The NSFW image classifier (nsfwjs' MobileNetV2 by default): loaded once per process from the
 * converted files (lazy singleton), run in batches.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  initBackend,
  layersModelArtifacts,
  resampleImage,
  type LayersModelJson,
} from '@ganmod/gan-core';
import type { RgbImage } from '../input/decode.js';
import { modelsDir } from '../model-files.js';
import { NSFW_MODELS, type NsfwModelName, readBundledNsfwModel } from './convert.js';
import { foldLayersModel, nsfwFoldOptions, type FoldedModel } from './folded.js';

/** Output classes, in the model's order. */
export const NSFW_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;
/** One of {@link NSFW_CLASSES}. */
export type NsfwClass = (typeof NSFW_CLASSES)[number];
/** Class probabilities for one image. */
export type NsfwProbabilities = Record<NsfwClass, number>;

/** A loaded classifier. */
export interface NsfwClassifier {
  readonly name: NsfwModelName;
  /** Where the weights came from (`converted files` or `nsfwjs bundle`) and load time. */
  readonly loadedFrom: string;
  readonly loadMs: number;
  /** Probabilities per image, in input order; images are processed `batchSize` at a time. */
  classify(images: readonly RgbImage[], batchSize?: number): Promise<NsfwProbabilities[]>;
}

/** Folder of the converted model under `dist/models/`. */
export function convertedNsfwDir(name: NsfwModelName): string {
  return join(modelsDir(), `nsfw-${name.replaceAll('_', '-')}`);
}

/**
 * The network's input: each image stretched to a square (no crop, as nsfwjs does) with an
 * antialiasing linear filter (gan-core's `resampleImage`, the same filter as sharp's `linear`
 * kernel within a grey level) and scaled to [0, 1], written straight into `into` (grown when the
 * batch does not fit). A worker classifies batch after batch: one ~10 MB array kept instead of a
 * fresh one per batch, which made V8 collect its whole heap every few batches for the external
 * memory alone.
 */
function toInputPixels(
  images: readonly RgbImage[],
  size: number,
  into: { pixels: Float32Array },
): Float32Array {
  const perImage = size * size * 3;
  if (into.pixels.length < images.length * perImage) {
    into.pixels = new Float32Array(images.length * perImage);
  }
  const pixels = into.pixels.subarray(0, images.length * perImage);
  images.forEach((img, k) =>
    resampleImage(img, size, size, { scale: 1 / 255, into: pixels.subarray(k * perImage) }),
  );
  return pixels;
}

/**
 * The network behind the classifier as a plain TF.js layers model (no batch-norm folding), from
 * the converted files, or from the nsfwjs bundle when the build has not prepared them. The caller
 * owns it. gan-core's `PretrainedJudge` reads its global pool (`flatten_1` in MobileNetV2) as an
 * image-quality feature space.
 */
export async function loadNsfwNetwork(
  name: NsfwModelName = 'mobilenet_v2',
): Promise<{ model: tf.LayersModel; loadedFrom: string }> {
  await initBackend({ logger: null });
  const dir = convertedNsfwDir(name);
  let artifacts: tf.io.ModelArtifacts;
  let loadedFrom: string;
  if (existsSync(join(dir, 'model.json')) && existsSync(join(dir, 'weights.bin'))) {
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as LayersModelJson;
    artifacts = layersModelArtifacts(json, new Uint8Array(readFileSync(join(dir, 'weights.bin'))));
    loadedFrom = dir;
  } else {
    // Not prepared (e.g. running from src before a build): decode the bundle in memory.
    const { modelJson, weights } = readBundledNsfwModel(name);
    artifacts = layersModelArtifacts(modelJson, weights);
    loadedFrom = `nsfwjs bundle (${name}); run the package build to prepare ${dir}`;
  }
  return { model: await tf.loadLayersModel(tf.io.fromMemory(artifacts)), loadedFrom };
}

async function load(name: NsfwModelName): Promise<NsfwClassifier> {
  const start = performance.now();
  const network = await loadNsfwNetwork(name);
  const model = network.model;
  let loadedFrom = network.loadedFrom;
  // Batch-norm folded into the convolutions (2-3x less CPU, same outputs within 1e-6); a model
  // with a layer the folded path does not know runs as the layers model.
  let folded: FoldedModel | undefined;
  // GANMOD_NSFW_PRECISION: f32 by default; bf16/int8 trunks where the CPU has the instructions
  // (a wrong value throws here, not inside the fallback below).
  const foldOptions = name === 'mobilenet_v2' ? nsfwFoldOptions() : {};
  try {
    folded = foldLayersModel(model, foldOptions);
    loadedFrom +=
      `, batch-norm folded (${folded.steps} fused ops` +
      (folded.precision ? `, ${folded.nativeSteps} on oneDNN in ${folded.precision})` : ')');
  } catch (err) {
    loadedFrom += `, layers model (not folded: ${(err as Error).message})`;
  }
  const predict = (pixels: Float32Array, shape: [number, number, number, number]): tf.Tensor2D =>
    folded
      ? folded.predictPixels(pixels, shape)
      : tf.tidy(() => model.predict(tf.tensor4d(pixels, shape)) as tf.Tensor2D);
  const size = NSFW_MODELS[name].size;
  const loadMs = performance.now() - start;
  // The input batch's array, reused: classify() reads it synchronously into the network.
  const input = { pixels: new Float32Array(0) };
  return {
    name,
    loadedFrom,
    loadMs,
    async classify(images, batchSize = 16) {
      const out: NsfwProbabilities[] = [];
      for (let b = 0; b < images.length; b += batchSize) {
        const chunk = images.slice(b, b + batchSize);
        const output = predict(toInputPixels(chunk, size, input), [chunk.length, size, size, 3]);
        const values = await output.data();
        output.dispose();
        for (let i = 0; i < values.length; i += NSFW_CLASSES.length) {
          const probs = {} as NsfwProbabilities;
          NSFW_CLASSES.forEach((c, k) => (probs[c] = values[i + k] ?? 0));
          out.push(probs);
        }
      }
      return out;
    },
  };
}

const loaded = new Map<NsfwModelName, Promise<NsfwClassifier>>();

/** The classifier for `name`, loaded on first call and shared afterwards. */
export function loadNsfwClassifier(name: NsfwModelName = 'mobilenet_v2'): Promise<NsfwClassifier> {
  let pending = loaded.get(name);
  if (!pending) {
    pending = load(name);
    loaded.set(name, pending);
    pending.catch(() => loaded.delete(name)); // allow a retry after a failure
  }
  return pending;
}
