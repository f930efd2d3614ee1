/**
 * Benchmark: pipeline throughput and per-item latency with every default detector (near-duplicate
 * against a 10k-entry bank, NSFW MobileNetV2, caption abuse, caption spam) on emoji and MNIST
 * images with captions. Run on demand: `pnpm --filter @ganmod/moderation bench:pipeline`
 * (`--items 64 --batch 16`).
 */
import { parseArgs } from 'node:util';
import { HashBank } from '../bank/hash-bank.js';
import { emojiAsPhoto, emojiPaths, mnistAsPhoto } from '../eval/sample-images.js';
import { loadNsfwClassifier } from '../nsfw/classifier.js';
import { hashToHex } from '../pdq/hash256.js';
import { createModerator, defaultDetectors } from '../pipeline/moderator.js';
import type { ModerationItem } from '../types.js';

const { values } = parseArgs({ options: { items: { type: 'string' }, batch: { type: 'string' } } });
const n = Number(values.items ?? 64);
const batchSize = Number(values.batch ?? 16);

const bank = new HashBank();
for (let i = 0; i < 10_000; i++) {
  bank.addRow({
    hash: hashToHex(Uint32Array.from({ length: 8 }, () => (Math.random() * 4294967296) >>> 0)),
    label: 'noise',
    source: 'bench',
  });
}
const captions = [
  'Lovely sunset at the beach with my family',
  'FREE followers!!! DM me, link in bio bit.ly/abc',
  'this game is so fucking hard lol',
  'new recipe up on the blog, enjoy',
];
const emoji = emojiPaths();
const items: ModerationItem[] = [];
for (let i = 0; i < n; i++) {
  const image =
    i % 4 === 3 ? await mnistAsPhoto(i) : await emojiAsPhoto(emoji[(i * 37) % emoji.length]!);
  items.push({ externalId: `item-${i}`, image, caption: captions[i % captions.length]! });
}
const t0 = performance.now();
const nsfw = await loadNsfwClassifier();
console.log(`NSFW model load: ${(performance.now() - t0).toFixed(0)} ms (${nsfw.loadedFrom})`);
const moderator = createModerator({ bank, detectors: defaultDetectors(bank) });
await moderator.moderate(items[0]!); // warm-up: spam model, kernels

const single: number[] = [];
const tSingle = performance.now();
for (const item of items) {
  const t = performance.now();
  await moderator.moderate(item);
  single.push(performance.now() - t);
}
const singleTotal = performance.now() - tSingle;

const tBatch = performance.now();
const batchLatency: number[] = [];
for (let i = 0; i < items.length; i += batchSize) {
  const t = performance.now();
  const chunk = items.slice(i, i + batchSize);
  await moderator.moderateBatch(chunk);
  const per = (performance.now() - t) / chunk.length;
  for (let k = 0; k < chunk.length; k++) batchLatency.push(per);
}
const batchTotal = performance.now() - tBatch;

const pct = (v: number[], p: number) =>
  [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(p * v.length))]!;
console.log(`items: ${n} (image 256-px emoji / 224-px MNIST + caption), bank 10,000 hashes`);
console.log(`| mode | items/s | p50 latency (ms) | p95 latency (ms) |`);
console.log(`|---|---|---|---|`);
console.log(
  `| moderate() one at a time | ${((n / singleTotal) * 1000).toFixed(1)} | ${pct(single, 0.5).toFixed(0)} | ${pct(single, 0.95).toFixed(0)} |`,
);
console.log(
  `| moderateBatch(${batchSize}) | ${((n / batchTotal) * 1000).toFixed(1)} | ${pct(batchLatency, 0.5).toFixed(0)} (batch/size) | ${pct(batchLatency, 0.95).toFixed(0)} |`,
);
