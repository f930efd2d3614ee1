#!/usr/bin/env node
// `pnpm bench:vs-torch`: the project's GAN training step against PyTorch's on this machine, same
// run, same architectures (../shared/bench/torch_reference.py). Installs Debian's python3-torch and
// libopenblas0-pthread when absent, builds gan-core, runs both for the MLP GAN (batch 128) and the
// DCGAN (batch 64) one after the other, and prints a table with the ratio ours/torch.
//
//   pnpm bench:vs-torch [--steps N] [--warmup N] [--threads 1,2] [--backend wasm|cpu|tensorflow]
//                       [--only mlp|dcgan]
//
// --threads lists the thread counts to compare at: PyTorch with N threads against ours with N
// data-parallel workers (one single-threaded wasm backend each). Each row's ratio compares equal
// thread counts. Run it on an otherwise idle machine: PyTorch's multi-threaded timings collapse
// when the cores are oversubscribed (its OpenMP threads spin at barriers), which would flatter us.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
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
  },
});

const reference = resolve(root, '..', 'shared', 'bench', 'torch_reference.py');
const ours = join(root, 'packages', 'gan-core', 'dist', 'bench', 'train.js');
const python = '/usr/bin/python3';
const configs = [
  { model: 'mlp', batch: 128, steps: 20, warmup: 3 },
  { model: 'dcgan', batch: 64, steps: 5, warmup: 1 },
].filter((c) => values.only === undefined || c.model === values.only);

/** Runs a benchmark and returns the JSON object on the last line of its stdout. */
function runJson(cmd, args) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
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
    process.stderr.write(`▶ ${c.model} batch ${c.batch}, ${threads} thread(s): PyTorch\n`);
    const torch = runJson(python, [reference, ...common, '--threads', threads]);
    process.stderr.write(`▶ ${c.model} batch ${c.batch}, ${threads} worker(s): gan-core\n`);
    const backend = values.backend ? ['--backend', values.backend] : [];
    const mine = runJson(process.execPath, [ours, ...common, ...backend, '--workers', threads]);
    rows.push({ c, torch, mine, ratio: mine.ms_per_step_median / torch.ms_per_step_median });
  }
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  `machine: ${cpu}, ${cpus().length} CPUs, Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
  '',
  '| model | batch | threads | PyTorch ms/step | gan-core ms/step (backend) | gan-core CPU ms/step | ours/torch |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    ({ c, torch, mine, ratio }) =>
      `| ${c.model} | ${c.batch} | ${torch.threads} | ${torch.ms_per_step_median} | ` +
      `${mine.ms_per_step_median} (${mine.backend}) | ${mine.cpu_ms_per_step_median} | ` +
      `${ratio.toFixed(2)} |`,
  ),
  '',
  `PyTorch: ${rows[0]?.torch.impl ?? '?'}; gan-core: ${rows[0]?.mine.impl ?? '?'}, kernels: ${rows[0]?.mine.kernels ?? '?'}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
