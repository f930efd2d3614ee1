/**
 * Load-time benchmark: prints how long each loader and the batch iterator take on this machine.
 * Run with `pnpm --filter @ganmod/datasets bench` (after `build`). Figures are printed, never asserted.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  encodePng,
  FASHION_MNIST_DEBIAN_DIR,
  GRID25,
  loadEmoji,
  loadFashionMnist,
  loadImageFolder,
  loadMnist,
  sampleMixture,
} from '../index.js';

const REPEATS = 3;

async function median(run: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(REPEATS / 2)]!;
}

function row(label: string, items: number, ms: number): void {
  const rate = Math.round((items / ms) * 1000).toLocaleString('en');
  console.log(
    `${label.padEnd(44)} ${String(Math.round(ms)).padStart(7)} ms  ${rate.padStart(10)} items/s`,
  );
}

await tf.setBackend(process.env.GANMOD_BACKEND ?? 'cpu');
await tf.ready();
console.log(
  `backend ${tf.getBackend()}, median of ${REPEATS} runs, load average ${loadavg()[0]!.toFixed(1)} ` +
    `on ${availableParallelism()} cores\n`,
);

row('mnist train 60k, 28x28x1', 60_000, await median(() => loadMnist()));
row(
  'mnist test 10k, resized 32x32x3',
  10_000,
  await median(() => loadMnist({ split: 'test', size: 32, channels: 3 })),
);
if (existsSync(FASHION_MNIST_DEBIAN_DIR)) {
  row('fashion-mnist train 60k (gunzip + parse)', 60_000, await median(() => loadFashionMnist()));
} else {
  console.log(`fashion-mnist: skipped, ${FASHION_MNIST_DEBIAN_DIR} missing`);
}
const emojiCount = (await loadEmoji({ testFraction: 0 })).dataset.size;
row(
  `emoji all ${emojiCount}, 64x64x3`,
  emojiCount,
  await median(() => loadEmoji({ testFraction: 0 })),
);
row(
  `emoji all ${emojiCount}, 32x32x3`,
  emojiCount,
  await median(() => loadEmoji({ testFraction: 0, size: 32 })),
);

// A folder of 500 real images (MNIST digits) as PNG, decoded and resized by sharp.
const folder = mkdtempSync(join(tmpdir(), 'ganmod-bench-'));
try {
  const { dataset: digits } = await loadMnist({ split: 'test', limit: 500 });
  mkdirSync(join(folder, 'digits'));
  for (let i = 0; i < digits.size; i++) {
    const img = digits.toUint8Image(i);
    writeFileSync(
      join(folder, 'digits', `${i}.png`),
      encodePng(img.data, img.width, img.height, img.channels),
    );
  }
  row(
    'folder 500 PNG -> 64x64x3 (sharp)',
    500,
    await median(() => loadImageFolder({ path: folder })),
  );
  row(
    'folder 500 PNG -> 28x28x1 (sharp)',
    500,
    await median(() => loadImageFolder({ path: folder, size: 28, channels: 1 })),
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}

row(
  'grid25 sample 100k points',
  100_000,
  await median(() => sampleMixture(GRID25, { limit: 100_000 })),
);

const { dataset: mnist } = await loadMnist();
row(
  'mnist epoch, batch 64, shuffled, to tensors',
  mnist.size,
  await median(() => {
    for (const batch of mnist.batches(64, { seed: 1, dropRemainder: true })) tf.dispose(batch);
  }),
);
