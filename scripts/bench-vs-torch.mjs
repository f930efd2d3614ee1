#!/usr/bin/env node
// `pnpm bench:vs-torch`: the project's GAN training step against PyTorch's on this machine, same
// run, same architectures (packages/gan-core/bench/torch-reference.py). Installs Debian's python3-torch and
// libopenblas0-pthread when absent, builds gan-core, runs both for the MLP GAN (batch 128) and the
// DCGAN (batch 64) one after the other, and prints a table with the ratio ours/torch.
//
//   pnpm bench:vs-torch [--steps N] [--warmup N] [--threads 1,2] [--backend wasm|cpu|tensorflow]
//                       [--only mlp|dcgan] [--workers W] [--rounds R]
//
// --threads lists the thread counts to compare at: PyTorch with N threads (its OpenMP threads and
// OpenBLAS's: OPENBLAS_NUM_THREADS=N) against ours with a budget of N threads (OpenBLAS's threads for the native kernels; with --workers W > 1, W
// data-parallel replicas share them). --rounds R alternates the two R times and keeps each
// one's best median. Each row's ratio compares equal
// thread counts. Run it on an otherwise idle machine: PyTorch's multi-threaded timings collapse
// when the cores are oversubscribed (its OpenMP threads spin at barriers), which would flatter us.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pnpmCommand, root } from './lib.mjs';
import { ensureDebianPackages } from './system.mjs';

const { values } = parseArgs({
  options: {
    steps: { type: 'string' },
    warmup: { type: 'string' },
    threads: { type: 'string', default: '1,2' },
    backend: { type: 'string' },
    only: { type: 'string' },
    workers: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '2' },
  },
});

const reference = join(root, 'packages', 'gan-core', 'bench', 'torch-reference.py');
const ours = join(root, 'packages', 'gan-core', 'dist', 'bench', 'train.js');
const python = '/usr/bin/python3';
const configs = [
  { model: 'mlp', batch: 128, steps: 20, warmup: 3 },
  { model: 'dcgan', batch: 64, steps: 5, warmup: 1 },
].filter((c) => values.only === undefined || c.model === values.only);

/** Runs a benchmark and returns the JSON object on the last line of its stdout. */
function runJson(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`'${[cmd, ...args].join(' ')}' exited with ${r.status}`);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`'${[cmd, ...args].join(' ')}' printed no JSON line: ${last}`);
  }
}

if (!existsSync(reference)) throw new Error(`torch reference not found at ${reference}`);
const stillMissing = ensureDebianPackages(['python3-torch', 'libopenblas0-pthread']);
if (stillMissing.length > 0) {
  throw new Error(`missing Debian packages (need root and apt-get): ${stillMissing.join(' ')}`);
}

// Build gan-core; the benchmark runs from dist/.
const [pnpm, ...pre] = pnpmCommand();
const build = spawnSync(pnpm, [...pre, '--filter', '@ganmod/gan-core', 'run', 'build'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0 && !existsSync(ours)) throw new Error('building @ganmod/gan-core failed');
if (build.status !== 0)
  process.stderr.write('warning: gan-core build reported errors; using dist/ as emitted\n');

const rows = [];
for (const c of configs) {
  const steps = values.steps ?? String(c.steps);
  const warmup = values.warmup ?? String(c.warmup);
  const common = [
    '--model',
    c.model,
    '--batch',
    String(c.batch),
    '--steps',
    steps,
    '--warmup',
    warmup,
  ];
  for (const threads of values.threads.split(',')) {
    const workers = String(Math.min(Number(values.workers), Number(threads)));
    const backend = values.backend ? ['--backend', values.backend] : [];
    let torch;
    let mine;
    // Alternate the two and keep each one's best median: a burst of load from elsewhere then
    // penalises neither side alone.
    for (let round = 1; round <= Number(values.rounds); round++) {
      process.stderr.write(
        `▶ ${c.model} batch ${c.batch}, ${threads} thread(s), round ${round}: PyTorch\n`,
      );
      // torch.set_num_threads (the reference's --threads) sets its OpenMP threads only: its
      // matrix products run in OpenBLAS, which starts one thread per core unless told otherwise.
      // Without this the "1 thread" PyTorch row used both cores for every Linear layer.
      const t = runJson(python, [reference, ...common, '--threads', threads], {
        OPENBLAS_NUM_THREADS: threads,
        OMP_NUM_THREADS: threads,
      });
      if (torch === undefined || t.ms_per_step_median < torch.ms_per_step_median) torch = t;
      process.stderr.write(
        `▶ ${c.model} batch ${c.batch}, ${threads} thread(s), round ${round}: gan-core\n`,
      );
      const m = runJson(process.execPath, [
        ours,
        ...common,
        ...backend,
        '--threads',
        threads,
        '--workers',
        workers,
      ]);
      if (mine === undefined || m.ms_per_step_median < mine.ms_per_step_median) mine = m;
    }
    rows.push({ c, torch, mine, ratio: mine.ms_per_step_median / torch.ms_per_step_median });
  }
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  `machine: ${cpu}, ${cpus().length} CPUs, Node ${process.version}, load average at the end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
  '',
  '| model | batch | threads | PyTorch ms/step | gan-core ms/step (backend, workers) | gan-core CPU ms/step | ours/torch |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    ({ c, torch, mine, ratio }) =>
      `| ${c.model} | ${c.batch} | ${torch.threads} | ${torch.ms_per_step_median} | ` +
      `${mine.ms_per_step_median} (${mine.backend}, ${mine.workers}) | ${mine.cpu_ms_per_step_median} | ` +
      `${ratio.toFixed(2)} |`,
  ),
  '',
  `PyTorch: ${rows[0]?.torch.impl ?? '?'}; gan-core: ${rows[0]?.mine.impl ?? '?'}, kernels: ${rows[0]?.mine.kernels ?? '?'}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
