/**
 * Benchmark: multi-index hash bank vs linear scan at 10k / 100k / 1M entries.
 * Entries are random 256-bit hashes; each query has one planted neighbour at a random distance
 * 0..31, so both methods must return it. Run: `pnpm --filter @ganmod/moderation bench:bank`
 * (add `--max 100000` to stop earlier).
 */
import { parseArgs } from 'node:util';
import { mulberry32 } from '@ganmod/datasets/prng';
import { HashBank } from '../bank/hash-bank.js';
import { hashToHex } from '../pdq/hash256.js';

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

console.log(
  `| entries | build index (ms) | MIH query p50 (ms) | MIH query p95 (ms) | linear scan p50 (ms) | speed-up (p50) | recall |`,
);
console.log(`|---|---|---|---|---|---|---|`);
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
  const linearQs = qs.slice(0, Math.max(9, Math.round(queries / (size / 10_000))));
  const linearTimes: number[] = [];
  for (const q of linearQs) {
    t = performance.now();
    bank.queryLinear(q);
    linearTimes.push(performance.now() - t);
  }
  const p50 = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const p95 = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length * 0.95)]!;
  console.log(
    `| ${size.toLocaleString('en')} | ${build.toFixed(0)} | ${p50(times).toFixed(3)} | ${p95(times).toFixed(3)} | ${p50(linearTimes).toFixed(2)} | ${(p50(linearTimes) / p50(times)).toFixed(0)}x | ${found}/${qs.length} |`,
  );
}
