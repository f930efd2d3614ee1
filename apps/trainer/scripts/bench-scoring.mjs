#!/usr/bin/env node
// bench:scoring: content scoring by real worker processes (`worker --moderation`) on
// PostgreSQL (default) or SQLite, with every detector on, as bench:pipeline runs them: --items
// PENDING items (real 512-px photos from the moderation photo set as JPEG uploads, half of them
// copies of banked pictures, a quarter with a meme caption band, each with a caption) scored by 1
// and then 2 workers (--workers 1,2), each on a fresh database whose hash bank holds the banked
// pictures' hashes plus 10,000 noise hashes and whose active synthetic-image detector is the
// 32x32 CNN (untrained weights, same cost). Prints items/s after --warm-up items per worker (model
// loads and V8's warm-up excluded) and the decisions per item (1 when every item was scored
// exactly once). With --pin, worker i runs on core i alone (Linux `taskset`): N pinned workers
// against one pinned worker is the scale-out measure (a lone unpinned worker already spreads over
// both cores: sharp decodes on its thread pool). Needs the built trainer. Asserts nothing else.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { addHashesToBank, bankHashesOfImage, createDb } from '@ganmod/db';
import {
  PHOTO_EDITS,
  buildSyntheticCnn,
  loadSetPhoto,
  photoSet,
  saveSyntheticModel,
} from '@ganmod/moderation';
import { benchDatabase } from './bench-database.mjs';

const { values: flags } = parseArgs({
  options: {
    provider: { type: 'string', default: 'postgres' },
    items: { type: 'string', default: '480' },
    // Items each worker scores before the measurement: model loads and V8's optimisation of the
    // scoring code (a worker's CPU per item falls by ~30% over its first ~100 items).
    'warm-up': { type: 'string', default: '128' },
    workers: { type: 'string', default: '1,2' },
    // Each worker on its own core (taskset -c i).
    pin: { type: 'boolean', default: false },
    // Each worker writes a V8 CPU profile into this folder when it stops.
    'cpu-prof': { type: 'string' },
  },
});
const ITEMS = Number(flags.items);
const WARM_UP = Number(flags['warm-up']);
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

const database = () => benchDatabase(flags.provider, 'scoring');

const dataDir = mkdtempSync(join(tmpdir(), 'ganmod-bench-scoring-data-'));
mkdirSync(join(dataDir, 'uploads'));
const { banked, unrelated } = photoSet();
const captions = [
  'Lovely sunset at the beach with my family',
  'FREE followers!!! DM me, link in bio bit.ly/abc',
  'this game is so fucking hard lol',
  'new recipe up on the blog, enjoy',
];
const bankedPng = await Promise.all(banked.map((p) => loadSetPhoto(p)));
const unrelatedPng = await Promise.all(unrelated.map((p) => loadSetPhoto(p)));
// Upload k: a banked or an unrelated photo (alternating), mirrored as a JPEG q90 or, for a quarter
// of them, with a meme caption band (bench:pipeline's mix, its reposts mirrored). Item i uploads
// k = i mod the pool.
const UPLOADS = 2 * Math.max(bankedPng.length, unrelatedPng.length);
for (let k = 0; k < UPLOADS; k++) {
  const pool = k % 2 === 0 ? bankedPng : unrelatedPng;
  const png = pool[Math.floor(k / 2) % pool.length];
  const jpeg =
    k % 4 >= 2 && k % 8 >= 4
      ? await PHOTO_EDITS['caption band'](png, k)
      : await PHOTO_EDITS.mirror(png, k);
  writeFileSync(join(dataDir, 'uploads', `${k}.jpg`), jpeg);
}
// The bank: each banked picture's hashes (as `moderate bank add` stores them) and noise.
const bankedHashes = await Promise.all(bankedPng.map((png) => bankHashesOfImage(png)));
const noise = Array.from({ length: 10_000 }, () => ({ hash: randomBytes(32).toString('hex') }));
// The synthetic-image detector the workers load as the active SYNTHETIC_IMAGE model.
const syntheticPath = 'detectors/bench-synthetic';
await saveSyntheticModel(
  join(dataDir, 'artifacts', syntheticPath),
  {
    model: buildSyntheticCnn([32, 32, 3]),
    inputShape: [32, 32, 3],
    realDataset: 'bench (untrained weights, same cost)',
    generator: 'bench',
  },
  {
    averagePrecision: 0.5,
    rocAuc: 0.5,
    precision: 0.5,
    recall: 0.5,
    accuracy: 0.5,
    realTest: 0,
    generatedTest: 0,
    realDataset: 'bench',
    generator: 'bench',
    trainSteps: 0,
    evaluatedAt: new Date().toISOString(),
  },
);

/** Fills a fresh database's bank and activates the synthetic detector. */
async function prepare(db) {
  const actor = { tool: 'bench:scoring' };
  await addHashesToBank(db, { hashes: noise, label: 'CUSTOM', source: 'bench-noise' }, actor);
  for (const [k, { hashes }] of bankedHashes.entries()) {
    await addHashesToBank(db, { hashes, label: 'COPYRIGHT', source: `bench:${k}` }, actor);
  }
  await db.detectorModel.create({
    data: {
      kind: 'SYNTHETIC_IMAGE',
      name: 'bench',
      path: syntheticPath,
      status: 'READY',
      active: true,
      activatedAt: new Date(),
    },
  });
}

function startWorker(url, workers, slot) {
  const profile = flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${flags['cpu-prof']}`] : [];
  const node = [process.execPath, ...profile, cli, 'worker', '--moderation', '--poll', '100'];
  const cpus = allowedCpus();
  const pinned = flags.pin ? ['taskset', '-c', String(cpus[slot % cpus.length]), ...node] : node;
  const child = spawn(pinned[0], pinned.slice(1), {
    env: {
      ...process.env,
      DATABASE_URL: url,
      GANMOD_DATA_DIR: dataDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      // OpenBLAS's threads per worker: N workers share the cores instead of oversubscribing them.
      OPENBLAS_NUM_THREADS: String(
        flags.pin ? 1 : Math.max(1, Math.floor(availableParallelism() / workers)),
      ),
    },
    stdio: ['ignore', 'ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'],
  });
  // A worker that cannot start (taskset missing, a CPU not allowed) or dies ends the bench
  // instead of leaving it polling for decisions that never come.
  child.on('error', (error) => {
    console.error(`worker ${slot} could not start: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (!child.stopping) {
      console.error(`worker ${slot} exited (${signal ?? code}) during the bench`);
      process.exit(1);
    }
  });
  return child;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) a process has used so far (Linux /proc; clock ticks of 10 ms). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of the PostgreSQL backends serving this database, by pid (null on SQLite). */
async function postgresCpu(db) {
  if (flags.provider !== 'postgres') return null;
  const rows = await db.$queryRawUnsafe(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  const byPid = new Map();
  for (const { pid } of rows) {
    try {
      byPid.set(pid, cpuSeconds(pid));
    } catch {
      // exited since it was listed
    }
  }
  return byPid;
}

/** CPU seconds those backends used since `before` (a backend started since counts from 0). */
async function postgresCpuSince(db, before) {
  const now = await postgresCpu(db);
  if (!now || !before) return null;
  let seconds = 0;
  for (const [pid, cpu] of now) seconds += cpu - (before.get(pid) ?? 0);
  return seconds;
}

/** CPUs this process may run on (Linux's Cpus_allowed_list, e.g. "0-3,8"), for --pin. */
function allowedCpus() {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Cpus_allowed_list:'));
  if (!line) return Array.from({ length: availableParallelism() }, (_, i) => i);
  return line
    .split(':')[1]
    .trim()
    .split(',')
    .flatMap((part) => {
      const [a, b = a] = part.split('-').map(Number);
      return Array.from({ length: b - a + 1 }, (_, i) => a + i);
    });
}

/** Submits `count` items and waits until the database holds `total` decisions; returns seconds. */
async function scoreBatch(db, from, count, total) {
  await db.contentItem.createMany({
    data: Array.from({ length: count }, (_, k) => ({
      externalId: `bench-${from + k}`,
      caption: captions[(from + k) % captions.length],
      imagePath: `uploads/${(from + k) % UPLOADS}.jpg`,
    })),
  });
  const start = performance.now();
  let seen = -1;
  let progressAt = start;
  for (let done = await db.decision.count(); done < total; done = await db.decision.count()) {
    if (done !== seen) [seen, progressAt] = [done, performance.now()];
    // Items waiting for a worker that crashed stay PENDING until their lease lapses; two
    // minutes without a decision means the run is broken, not slow.
    if (performance.now() - progressAt > 120_000) {
      throw new Error(`no decision for 2 minutes (${done}/${total}): are the workers running?`);
    }
    await sleep(50);
  }
  return (performance.now() - start) / 1000;
}

console.log(
  `${ITEMS} items (real photos, JPEG q90 ≤512 px, half copies of banked ones, + captions) on ${flags.provider}; ` +
    `bank: ${bankedHashes.reduce((n, b) => n + b.hashes.length, 0)} hashes of ${bankedPng.length} pictures + ${noise.length} noise; ` +
    `synthetic detector on; ${flags.pin ? 'each worker pinned to one core; ' : ''}load average ${load()}`,
);
// On a loaded machine wall time measures the others: the workers' CPU per item says what idle cores
// would do (a worker is mostly one busy thread: N workers on N idle cores, 1000 / CPU ms each).
console.log(
  `| workers | items/s (after ${WARM_UP} warm-up items per worker) | workers CPU ms/item | PostgreSQL CPU ms/item | items/s on idle cores (workers x 1000 / CPU ms) | decisions per item | bank matches, synthetic scores | load average |`,
);
console.log('|---|---|---|---|---|---|---|---|');
for (const workers of flags.workers.split(',').map(Number)) {
  const { url, drop } = await database();
  const db = createDb(url);
  await prepare(db);
  const children = Array.from({ length: workers }, (_, slot) => startWorker(url, workers, slot));
  try {
    // Warm-up (model loads, V8 optimising the hot code) outside the measurement.
    const warm = WARM_UP * workers;
    await scoreBatch(db, 0, warm, warm);
    const cpuBefore = children.reduce((sum, c) => sum + cpuSeconds(c.pid), 0);
    const postgresBefore = await postgresCpu(db);
    const seconds = await scoreBatch(db, warm, ITEMS, warm + ITEMS);
    const cpuMs =
      ((children.reduce((sum, c) => sum + cpuSeconds(c.pid), 0) - cpuBefore) * 1000) / ITEMS;
    // PostgreSQL shares the cores with the workers; on SQLite its share is inside the workers.
    const postgresSeconds = await postgresCpuSince(db, postgresBefore);
    const postgresMs =
      postgresSeconds === null ? '-' : ((postgresSeconds * 1000) / ITEMS).toFixed(1);
    const decisions = await db.decision.findMany({ select: { itemId: true, createdAt: true } });
    const perItem = new Map();
    for (const d of decisions) perItem.set(d.itemId, (perItem.get(d.itemId) ?? 0) + 1);
    const counts = [...new Set(perItem.values())].join('/');
    const scored = perItem.size;
    // The detectors really ran: items the bank matched, and synthetic-image scores recorded.
    const matched = await db.detectorScore.count({
      where: { detector: 'pdq-near-duplicate', label: { startsWith: 'match:' } },
    });
    const synthetic = await db.detectorScore.count({ where: { detector: 'synthetic-image' } });
    console.log(
      `| ${workers} | ${(ITEMS / seconds).toFixed(1)} | ${cpuMs.toFixed(0)} | ${postgresMs} | ${((Math.min(workers, availableParallelism()) * 1000) / cpuMs).toFixed(0)} | ${counts} (${scored}/${ITEMS + WARM_UP * workers} items) | ${matched}, ${synthetic} | ${load()} |`,
    );
  } finally {
    for (const child of children) {
      child.stopping = true;
      child.kill();
    }
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode === null ? c.on('exit', r) : r()))),
    );
    await db.$disconnect();
    await drop();
  }
}
rmSync(dataDir, { recursive: true, force: true });
