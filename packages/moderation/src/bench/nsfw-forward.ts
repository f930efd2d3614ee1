/**
 * Benchmark: the batch-norm-folded NSFW MobileNetV2 forward pass alone (random 224x224 inputs),
 * wall and CPU ms per image at batch 1 and at batch 16, with the load average and whether
 * gan-core's native kernels serve. Run on demand after a build:
 * `pnpm --filter @ganmod/moderation bench:nsfw` (`--reps 20 --batch 16`);
 * `GANMOD_NATIVE_KERNELS=0` compares with the wasm kernels alone, `GANMOD_NSFW_PRECISION=bf16|int8`
 * runs the oneDNN trunk in that precision, `node --cpu-prof` profiles it.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend, layersModelArtifacts } from '@ganmod/gan-core';
import * as tf from '@tensorflow/tfjs';
import { readBundledNsfwModel } from '../nsfw/convert.js';
import { foldLayersModel, nsfwFoldOptions } from '../nsfw/folded.js';

const { values } = parseArgs({ options: { reps: { type: 'string' }, batch: { type: 'string' } } });
const reps = Number(values.reps ?? 20);
const batch = Number(values.batch ?? 16);

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
const cpuMs = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};

const info = await initBackend({ logger: null });
const { modelJson, weights } = readBundledNsfwModel('mobilenet_v2');
const model = await tf.loadLayersModel(tf.io.fromMemory(layersModelArtifacts(modelJson, weights)));
const folded = foldLayersModel(model, nsfwFoldOptions());

/** Runs `rounds` forward passes of a random batch of `size`; returns ms per image. */
async function time(size: number, rounds: number): Promise<{ wall: number; cpu: number }> {
  const x = tf.randomUniform<tf.Rank.R4>([size, 224, 224, 3]);
  for (let r = 0; r < 2; r++) {
    const y = folded.predict(x); // warm-up: kernels, heap growth
    await y.data();
    y.dispose();
  }
  const from = process.cpuUsage();
  const t = performance.now();
  for (let r = 0; r < rounds; r++) {
    const y = folded.predict(x);
    await y.data();
    y.dispose();
  }
  const images = rounds * size;
  const wall = (performance.now() - t) / images;
  x.dispose();
  return { wall, cpu: cpuMs(from) / images };
}

console.log(
  `backend ${info.name}, native kernels ${JSON.stringify(info.nativeKernels ?? null)}, ` +
    `threads ${info.threads}; ${folded.steps} fused ops, ${folded.nativeSteps} of them on oneDNN ` +
    `(${folded.precision ?? 'none'}); ` +
    `load average ${load()}`,
);
for (const size of [1, batch]) {
  // About the same number of images at each size: `reps` batches of 16.
  const { wall, cpu } = await time(size, Math.max(2, Math.round((reps * 16) / size)));
  console.log(
    `batch ${size}: ${wall.toFixed(1)} ms wall / ${cpu.toFixed(1)} ms CPU per image (load average ${load()})`,
  );
}
folded.dispose();
