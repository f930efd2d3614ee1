#!/usr/bin/env node
// `pnpm bench:vs-torch`: the project's GAN training step against PyTorch's on this machine, same
// run, same architectures (packages/gan-core/bench/torch-reference.py), each side at its FASTEST
// configuration for the same core budget. Installs Debian's python3-torch and
// libopenblas0-pthread when absent, builds gan-core, and for the MLP GAN (batch 128) and the DCGAN
// (batch 64) times every configuration of both sides, then prints each one's median and a summary
// with each side's best and the ratio ours / PyTorch's best.
//
//   pnpm bench:vs-torch [--cores N] [--rounds R] [--steps N] [--warmup N] [--only mlp|dcgan]
//                       [--workers 1,2] [--coretype auto|NAME] [--backend wasm|cpu|tensorflow]
//                       [--no-build]
//
// Each row also gives the best median CPU ms per step (all the process's threads): on a shared
// machine it is less disturbed than wall time, though it counts spinning threads as work.
//
// --cores N is the core budget (default: this machine's cores). Configurations tried:
// - PyTorch: its default (no torch.set_num_threads, OPENBLAS_NUM_THREADS and OMP_NUM_THREADS
//   unset; only when N covers every core, since OpenBLAS then starts one thread per core), and
//   torch.set_num_threads(t) for t = 1..N with OPENBLAS_NUM_THREADS = b for b = 1..N (its
//   convolutions run in oneDNN on t OpenMP threads, its Linear layers in OpenBLAS on b threads).
// - gan-core: OpenBLAS with t = 1..N threads (OPENBLAS_NUM_THREADS and bench:train --threads),
//   one replica; with --workers listing W > 1, also W data-parallel replicas sharing t >= W
//   threads. Data parallelism normalises G's batch norm per replica (PyTorch DDP without
//   SyncBatchNorm), so those rows are printed but never chosen as "best" (not the same step).
// Both sides load the same OpenBLAS (Debian's libopenblas0-pthread). --coretype auto (default)
// removes OPENBLAS_CORETYPE from both sides' environment, so OpenBLAS picks its kernels for this
// CPU (Cooperlake, AVX-512, on these EPYCs; some shells here export OPENBLAS_CORETYPE=Haswell,
// whose AVX2 kernels run sgemm at ~100 instead of ~170 GFLOP/s); --coretype NAME sets it for both.
// The header names the kernels OpenBLAS chose.
// Rounds: every configuration runs once per round, the two sides interleaved, and keeps its best
// median of R rounds: a burst of load from elsewhere then penalises neither side alone. Run it on
// an otherwise idle machine: multi-threaded timings collapse when cores are oversubscribed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pnpmCommand, root } from './lib.mjs';
import { ensureDebianPackages } from './system.mjs';

const { values } = parseArgs({
  options: {
    cores: { type: 'string', default: String(availableParallelism()) },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string' },
    warmup: { type: 'string' },
    only: { type: 'string' },
    workers: { type: 'string', default: '1' },
    backend: { type: 'string' },
    coretype: { type: 'string', default: 'auto' },
    'no-build': { type: 'boolean', default: false },
  },
});

function positiveInt(name, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be an integer >= 1`);
  return n;
}
const cores = positiveInt('cores', values.cores);
const rounds = positiveInt('rounds', values.rounds);
const workerCounts = values.workers.split(',').map((w) => positiveInt('workers', w));

const reference = join(root, 'packages', 'gan-core', 'bench', 'torch-reference.py');
const ours = join(root, 'packages', 'gan-core', 'dist', 'bench', 'train.js');
const python = '/usr/bin/python3';
// The MLP's step is short enough to time at steady state: V8 and TF.js take tens of steps to warm
// up (ours measured 20.4 ms a step over 20 steps after 3, 17.0 over 200 after 50; PyTorch's the
// same either way), and a training run is thousands of steps.
const models = [
  { model: 'mlp', batch: 128, steps: 200, warmup: 50 },
  { model: 'dcgan', batch: 64, steps: 5, warmup: 1 },
].filter((c) => values.only === undefined || c.model === values.only);
if (models.length === 0) throw new Error(`--only must be mlp or dcgan, got '${values.only}'`);

/** The thread-related variables each run starts without, so that only its configuration sets them. */
const THREAD_VARS = [
  'OPENBLAS_NUM_THREADS',
  'OMP_NUM_THREADS',
  'MKL_NUM_THREADS',
  'GOTO_NUM_THREADS',
  'OPENBLAS_CORETYPE',
];
/** Applied to every run of both sides. */
const sharedEnv = values.coretype === 'auto' ? {} : { OPENBLAS_CORETYPE: values.coretype };

/** The environment of one run: the shared settings plus the configuration's own, nothing inherited. */
function runEnv(env) {
  const base = { ...process.env };
  for (const v of THREAD_VARS) delete base[v];
  return { ...base, ...sharedEnv, ...env };
}

/** Runs a benchmark and returns the JSON object on the last line of its stdout. */
function runJson(cmd, args, env) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: runEnv(env),
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

/** Every configuration of each side for the core budget (see the header). */
function configurations() {
  const range = Array.from({ length: cores }, (_, i) => i + 1);
  const torch = [];
  // OpenBLAS's default is one thread per core: within the budget only when it covers them all.
  if (cores >= availableParallelism()) {
    torch.push({
      side: 'torch',
      label: 'default (no set_num_threads, OPENBLAS unset)',
      args: [],
      env: {},
    });
  }
  for (const t of range) {
    for (const b of range) {
      torch.push({
        side: 'torch',
        label: `set_num_threads(${t}), OPENBLAS_NUM_THREADS=${b}`,
        args: ['--threads', String(t)],
        env: { OPENBLAS_NUM_THREADS: String(b) },
      });
    }
  }
  const mine = [];
  for (const t of range) {
    for (const w of workerCounts.filter((w) => w <= t)) {
      mine.push({
        side: 'ours',
        label: `OPENBLAS_NUM_THREADS=${t}${w > 1 ? `, --workers ${w}` : ''}`,
        args: ['--threads', String(t), '--workers', String(w)],
        env: { OPENBLAS_NUM_THREADS: String(t) },
        // Per-replica batch norm: a different step, so shown but never the side's best.
        sameStep: w === 1,
      });
    }
  }
  return { torch, mine };
}

/** Interleaves two lists evenly (by relative position), so neither side runs in one block. */
function interleave(a, b) {
  const tagged = [
    ...a.map((x, i) => ({ x, at: (i + 0.5) / a.length, side: 0 })),
    ...b.map((x, i) => ({ x, at: (i + 0.5) / b.length, side: 1 })),
  ];
  return tagged.sort((p, q) => p.at - q.at || p.side - q.side).map((t) => t.x);
}

if (!existsSync(reference)) throw new Error(`torch reference not found at ${reference}`);
const stillMissing = ensureDebianPackages(['python3-torch', 'libopenblas0-pthread']);
if (stillMissing.length > 0) {
  throw new Error(`missing Debian packages (need root and apt-get): ${stillMissing.join(' ')}`);
}

if (!values['no-build']) {
  // Build gan-core; the benchmark runs from dist/.
  const [pnpm, ...pre] = pnpmCommand();
  const build = spawnSync(pnpm, [...pre, '--filter', '@ganmod/gan-core', 'run', 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0 && !existsSync(ours)) throw new Error('building @ganmod/gan-core failed');
  if (build.status !== 0)
    process.stderr.write('warning: gan-core build reported errors; using dist/ as emitted\n');
}

/** The kernels OpenBLAS picks in the runs' environment (both sides load the same library). */
function openblasCore() {
  const r = spawnSync(
    python,
    [
      '-c',
      "import ctypes; l = ctypes.CDLL('libopenblas.so.0'); " +
        'l.openblas_get_corename.restype = ctypes.c_char_p; print(l.openblas_get_corename().decode())',
    ],
    { encoding: 'utf8', env: runEnv({}) },
  );
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

const fmtLoad = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const loadAtStart = fmtLoad();
const started = new Date();
const results = [];
let impls = { torch: '?', ours: '?', kernels: '?' };
for (const m of models) {
  const common = ['--model', m.model, '--batch', String(m.batch)];
  common.push(
    '--steps',
    values.steps ?? String(m.steps),
    '--warmup',
    values.warmup ?? String(m.warmup),
  );
  const { torch, mine } = configurations();
  const all = interleave(torch, mine);
  for (const c of all) {
    c.medians = [];
    c.cpu = [];
  }
  for (let round = 1; round <= rounds; round++) {
    for (const c of all) {
      process.stderr.write(
        `▶ ${m.model} b${m.batch}, round ${round}/${rounds}: ${c.side} ${c.label}\n`,
      );
      if (c.side === 'torch') {
        const r = runJson(python, [reference, ...common, ...c.args], c.env);
        impls.torch = r.impl;
        c.medians.push(r.ms_per_step_median);
        c.cpu.push(r.cpu_ms_per_step_median);
      } else {
        const backend = values.backend ? ['--backend', values.backend] : [];
        const r = runJson(process.execPath, [ours, ...common, ...backend, ...c.args], c.env);
        impls = { ...impls, ours: `${r.impl} (${r.backend})`, kernels: r.kernels };
        c.medians.push(r.ms_per_step_median);
        c.cpu.push(r.cpu_ms_per_step_median);
      }
    }
  }
  for (const c of all) {
    c.best = Math.min(...c.medians);
    c.bestCpu = Math.min(...c.cpu);
  }
  const best = (list) => list.reduce((a, b) => (b.best < a.best ? b : a));
  results.push({
    m,
    all,
    torchBest: best(torch),
    oursBest: best(mine.filter((c) => c.sameStep)),
  });
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  `machine: ${cpu}, ${cpus().length} CPUs, core budget ${cores}, Node ${process.version}; ` +
    `${started.toISOString().slice(0, 16)}Z, load average at the start ${loadAtStart}, at the end ${fmtLoad()}`,
  `PyTorch: ${impls.torch}; gan-core: ${impls.ours}, kernels ${impls.kernels}; OpenBLAS ` +
    `${openblasCore()} kernels (OPENBLAS_CORETYPE ${values.coretype === 'auto' ? 'unset' : values.coretype}); ` +
    `median wall ms per step of each run, best of ${rounds} round(s) in bold`,
  '',
  '| model | side | configuration | wall ms/step per round | best | best CPU ms/step |',
  '|---|---|---|---|---|---|',
  ...results.flatMap(({ m, all }) =>
    [...all]
      .sort((a, b) => (a.side === b.side ? 0 : a.side === 'torch' ? -1 : 1))
      .map(
        (c) =>
          `| ${m.model} b${m.batch} | ${c.side === 'torch' ? 'PyTorch' : 'gan-core'} | ${c.label}` +
          `${c.sameStep === false ? ' (per-replica batch norm: not the same step)' : ''} | ` +
          `${c.medians.join(', ')} | **${c.best}** | ${c.bestCpu} |`,
      ),
  ),
  '',
  '| model | PyTorch best | gan-core best | ours / torch-best | best CPU ms/step of those configurations: ours / torch |',
  '|---|---|---|---|---|',
  ...results.map(
    ({ m, torchBest, oursBest }) =>
      `| ${m.model} b${m.batch} | ${torchBest.best} ms (${torchBest.label}) | ` +
      `${oursBest.best} ms (${oursBest.label}) | **${(oursBest.best / torchBest.best).toFixed(2)}** | ` +
      `${oursBest.bestCpu} / ${torchBest.bestCpu} = ${(oursBest.bestCpu / torchBest.bestCpu).toFixed(2)} |`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
