/**
 * Turns the NSFW weights that ship inside the `nsfwjs` package (base64 strings wrapped in JS
 * bundles) into a plain TF.js layers model: `model.json` + one `weights.bin`. Done once at build
 * time; loading those two files takes ~100 ms where `nsfwjs.load()` takes 7-9 s.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LayersModelJson } from '@ganmod/gan-core';

const require = createRequire(import.meta.url);

/** Models bundled in nsfwjs 4.x, by the folder name it uses, with their input side. */
export const NSFW_MODELS = {
  mobilenet_v2: { size: 224, shards: ['group1-shard1of1'] },
  mobilenet_v2_mid: { size: 224, shards: ['group1-shard1of2', 'group1-shard2of2'] },
  inception_v3: {
    size: 299,
    shards: [1, 2, 3, 4, 5, 6].map((i) => `group1-shard${i}of6`),
  },
} as const;
/** A model name from {@link NSFW_MODELS}. */
export type NsfwModelName = keyof typeof NSFW_MODELS;

/** Reads a bundled model from the installed nsfwjs package into memory. */
export function readBundledNsfwModel(name: NsfwModelName): {
  modelJson: LayersModelJson;
  weights: Uint8Array;
} {
  // The model bundles are not in nsfwjs' `exports` map: locate them from its main entry instead.
  let root = dirname(require.resolve('nsfwjs'));
  while (!root.endsWith('nsfwjs') && dirname(root) !== root) root = dirname(root);
  const dir = join(root, 'dist', 'models', name);
  const modelJson = require(`${dir}/model.min.js`) as LayersModelJson;
  const parts = NSFW_MODELS[name].shards.map((shard) =>
    Buffer.from(require(`${dir}/${shard}.min.js`) as string, 'base64'),
  );
  // Shards are listed in manifest order; concatenation is the layout tf.io expects.
  const order = modelJson.weightsManifest.flatMap((g) => g.paths);
  const byName = new Map(NSFW_MODELS[name].shards.map((s, i) => [s, parts[i]!]));
  const weights = Buffer.concat(order.map((p) => byName.get(p) ?? Buffer.alloc(0)));
  return { modelJson, weights: new Uint8Array(weights) };
}

/** Writes `model.json` + `weights.bin` for `name` into `outDir`. Returns the written byte count. */
export function convertNsfwModel(name: NsfwModelName, outDir: string): number {
  const { modelJson, weights } = readBundledNsfwModel(name);
  mkdirSync(outDir, { recursive: true });
  const manifest = [
    { paths: ['weights.bin'], weights: modelJson.weightsManifest.flatMap((g) => g.weights) },
  ];
  writeFileSync(
    join(outDir, 'model.json'),
    JSON.stringify({
      format: 'layers-model',
      generatedBy: `nsfwjs bundled ${name}`,
      modelTopology: modelJson.modelTopology,
      weightsManifest: manifest,
      userDefinedMetadata: { inputSize: NSFW_MODELS[name].size },
    }),
  );
  writeFileSync(join(outDir, 'weights.bin'), weights);
  return weights.byteLength;
}
