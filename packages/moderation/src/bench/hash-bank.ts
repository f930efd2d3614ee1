/**
 * Benchmark: multi-index hash bank vs linear scan at 10k / 100k / 1M entries.
 * Entries are random 256-bit hashes; each query has one planted neighbour at a random distance
 * 0..31, so both methods must return it. The hash stage of the matcher asks for an upload's 8
 * dihedral hashes at once (`queryAny`), timed too. Then the whole staged matcher runs on real
 * photos (the evaluation's Debian set, edited) against the largest bank plus those photos' rows.
 * Wall-clock p95 on a shared machine mostly measures preemption, so CPU time (process.cpuUsage)
 * is printed beside it. Run: `pnpm --filter @ganmod/moderation bench:bank` (`--max 100000` stops
 * earlier). Prints `load average` first: figures taken under load are not comparable.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { mulberry32 } from '@ganmod/datasets/prng';
import { HashBank } from '../bank/hash-bank.js';
import { addImageToBank, matchImage } from '../bank/matcher.js';
import { PHOTO_EDITS, loadSetPhoto, photoSet } from '../eval/photo-set.js';
import { hashToHex } from '../pdq/hash256.js';
import { decodeBytes } from '../pdq/image.js';
import { dihedralHashes, hashFromDct } from '../pdq/pdq.js';

const { values } = parseArgs({ options: { max: { type: 'string' }, queries: { type: 'string' } } });
const max = Number(values.max ?? 1_000_000);
const queries = Number(values.queries ?? 200);

const next = mulberry32(12345);
const randomHash = () =>
  Uint32Array.from({ length: 8 }, () => Math.floor(next() * 4294967296) >>> 0);

function withFlips(h: Uint32Array, n: number): Uint32Array {
  const out = h.slice();
  const bits = new Set<number>();
  while (bits.size < n) bits.add(Math.floor(next() * 256));
  for (const b of bits) out[b >> 5] = (out[b >> 5]! ^ (1 << (b & 31))) >>> 0;
  return out;
}

const p50 = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const p95 = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length * 0.95)]!;
/** The 8 dihedral hashes of a random DCT, as the matcher's hash stage sends them. */
const dihedralOf = (seed: Uint32Array) => {
  const dct = Float64Array.from(
    { length: 256 },
    (_, k) => ((seed[k & 7]! >>> (k >> 3)) & 1) - 0.5 + next() - 0.5,
  );
  return [...dihedralHashes({ hash: hashFromDct(dct), quality: 100, dct }).values()];
};

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
console.log(
  `| entries | build index (ms) | MIH query p50 (ms) | MIH query p95 (ms) | hash stage (8 dihedral) p50 (ms) | hash stage p95 (ms) | hash stage CPU p50 / p95 (ms) | linear scan p50 (ms) | speed-up (p50) | recall |`,
);
console.log(`|---|---|---|---|---|---|---|---|---|---|`);
const bank = new HashBank();
for (const size of [10_000, 100_000, 1_000_000].filter((s) => s <= max)) {
  const qs: Uint32Array[] = [];
  while (bank.size < size - queries)
    bank.addRow({ hash: hashToHex(randomHash()), label: 'noise', source: 'bench' });
  for (let i = 0; i < queries; i++) {
    const q = randomHash();
    qs.push(q);
    bank.addRow({
      hash: hashToHex(withFlips(q, Math.floor(next() * 32))),
      label: 'planted',
      source: `q${i}`,
    });
  }
  let t = performance.now();
  bank.query(randomHash()); // first query builds the index
  const build = performance.now() - t;
  const times: number[] = [];
  let found = 0;
  for (const [i, q] of qs.entries()) {
    t = performance.now();
    const r = bank.query(q);
    times.push(performance.now() - t);
    if (r.some((m) => m.row.source === `q${i}`)) found++;
  }
  const stageTimes: number[] = [];
  const stageCpu: number[] = [];
  for (const q of qs) {
    const variants = dihedralOf(q);
    const cpu = process.cpuUsage();
    t = performance.now();
    bank.queryAny(variants);
    stageTimes.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    stageCpu.push((used.user + used.system) / 1000);
  }
  const linearQs = qs.slice(0, Math.max(9, Math.round(queries / (size / 10_000))));
  const linearTimes: number[] = [];
  for (const q of linearQs) {
    t = performance.now();
    bank.queryLinear(q);
    linearTimes.push(performance.now() - t);
  }
  console.log(
    `| ${size.toLocaleString('en')} | ${build.toFixed(0)} | ${p50(times).toFixed(3)} | ${p95(times).toFixed(3)} | ${p50(stageTimes).toFixed(3)} | ${p95(stageTimes).toFixed(3)} | ${p50(stageCpu).toFixed(2)} / ${p95(stageCpu).toFixed(2)} | ${p50(linearTimes).toFixed(2)} | ${(p50(linearTimes) / p50(times)).toFixed(0)}x | ${found}/${qs.length} |`,
  );
}

// The whole staged matcher per upload on real photos, against the bank above plus the photos' rows.
const set = photoSet();
const banked = await Promise.all(
  set.banked.map(async (photo) => ({ photo, png: await loadSetPhoto(photo) })),
);
for (const { photo, png } of banked)
  await addImageToBank(bank, await decodeBytes(png), { label: 'known', source: photo.id });
const uploads: Buffer[] = [];
for (const [i, { png }] of banked.entries())
  for (const apply of Object.values(PHOTO_EDITS)) uploads.push(await apply(png, i));
for (const [i, photo] of set.unrelated.entries())
  uploads.push(await PHOTO_EDITS['caption band']!(await loadSetPhoto(photo), i));
await matchImage(bank, await decodeBytes(uploads[0]!)); // warm-up
const whole: number[] = [];
const matchOnly: number[] = [];
for (const bytes of uploads) {
  const t0 = performance.now();
  const image = await decodeBytes(bytes);
  const t1 = performance.now();
  await matchImage(bank, image);
  const t2 = performance.now();
  whole.push(t2 - t0);
  matchOnly.push(t2 - t1);
}
console.log(
  `\nWhole matcher on ${uploads.length} real uploads (${banked.length} banked photos x ${Object.keys(PHOTO_EDITS).length} edits + ${set.unrelated.length} unrelated), bank ${bank.size.toLocaleString('en')} rows: ` +
    `match p50 ${p50(matchOnly).toFixed(1)} ms, p95 ${p95(matchOnly).toFixed(1)} ms; with decode p50 ${p50(whole).toFixed(1)} ms, p95 ${p95(whole).toFixed(1)} ms`,
);
