import sharp from 'sharp';
import { photoSet, loadSetPhoto } from './dist/eval/photo-set.js';
import { decodeBytes } from './dist/pdq/image.js';
const mode = process.argv[2];
if (mode.includes('nocache')) sharp.cache(false);
if (mode.includes('conc1')) sharp.concurrency(1);
console.log(mode, 'concurrency', sharp.concurrency(), JSON.stringify(sharp.cache()));
const set = photoSet();
const pngs = await Promise.all(set.banked.slice(0, 40).map((p) => loadSetPhoto(p)));
const jpegs = await Promise.all(pngs.map((p) => sharp(p).jpeg({ quality: 90 }).toBuffer()));
for (const j of jpegs.slice(0, 5)) await decodeBytes(j);
for (let round = 0; round < 2; round++) {
  const c = process.cpuUsage(); const t = performance.now();
  for (let r = 0; r < 3; r++) for (const j of jpegs) await decodeBytes(j);
  const u = process.cpuUsage(c); const n = 3 * jpegs.length;
  console.log(`  decodeBytes: ${((u.user + u.system) / 1000 / n).toFixed(2)} ms CPU, ${((performance.now() - t) / n).toFixed(2)} ms wall`);
}
