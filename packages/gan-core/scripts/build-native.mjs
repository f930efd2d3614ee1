#!/usr/bin/env node
// Builds the optional native kernels (native/*.cc, one file per kernel family sharing
// native/kernels.h -> dist/native/ganmod_kernels.node) with the system's C++ compiler against Node's own headers and OpenBLAS (Debian:
// libopenblas-dev). When either is missing it prints why and exits 0: gan-core then trains on
// its wasm kernels alone, only slower. GANMOD_NATIVE_BUILD=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const sourceDir = resolve(here, '..', 'native');
// Every translation unit and the shared header, in a stable order.
const inputs = readdirSync(sourceDir)
  .filter((name) => /\.(cc|h)$/.test(name))
  .sort()
  .map((name) => join(sourceDir, name));
const sources = inputs.filter((file) => file.endsWith('.cc'));
const target = resolve(here, '..', 'dist', 'native', 'ganmod_kernels.node');
// GANMOD_REQUIRE_NATIVE=1 (set by the test runner where OpenBLAS is installed): fail, not skip.
const strict = process.argv.includes('--strict') || process.env.GANMOD_REQUIRE_NATIVE === '1';

function skip(reason) {
  const message = `gan-core: native kernels not built (${reason}); training uses the wasm kernels only`;
  if (strict) {
    console.error(message);
    process.exit(1);
  }
  console.warn(message);
  process.exit(0);
}

if (process.env.GANMOD_NATIVE_BUILD === '0') skip('GANMOD_NATIVE_BUILD=0');
// Up to date when newer than every source and than this script (which holds the compiler flags).
const inputsChanged = Math.max(
  ...inputs.map((file) => statSync(file).mtimeMs),
  statSync(fileURLToPath(import.meta.url)).mtimeMs,
);
if (existsSync(target) && statSync(target).mtimeMs >= inputsChanged) process.exit(0);

const compiler = process.env.CXX ?? 'g++';
if (spawnSync(compiler, ['--version'], { stdio: 'ignore' }).status !== 0) {
  skip(`no C++ compiler '${compiler}'`);
}
const includeDir = [
  join(dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
].find((dir) => existsSync(join(dir, 'node_api.h')));
if (includeDir === undefined) skip("Node's headers (node_api.h) not found");
const blasHeader = [
  '/usr/include/x86_64-linux-gnu/cblas.h',
  '/usr/include/cblas.h',
  '/usr/include/aarch64-linux-gnu/cblas.h',
];
if (!blasHeader.some((h) => existsSync(h)))
  skip('OpenBLAS headers missing (apt-get install libopenblas-dev)');

// glibc's vector math library (libmvec) has vector tanhf from glibc 2.35 on: the addon's tanh
// uses it there (elementwise.cc, TanhRange) and a scalar loop elsewhere.
const glibc = String(process.report?.getReport().header.glibcVersionRuntime ?? '0.0')
  .split('.')
  .map(Number);
const libmvec = process.arch === 'x64' && (glibc[0] > 2 || (glibc[0] === 2 && glibc[1] >= 35));

// oneDNN (Debian: libdnnl-dev) adds whole-network CNN inference (cnn.cc); without it the addon
// builds the rest and the detectors' networks run through TF.js.
const onednn = existsSync('/usr/include/oneapi/dnnl/dnnl.hpp');
if (!onednn) console.warn('gan-core: oneDNN headers missing (libdnnl-dev): cnnCreate not built');

mkdirSync(dirname(target), { recursive: true });
const temp = `${target}.${process.pid}.tmp`;
// -march=native: the addon is built on the machine that runs it (at install/build time).
const args = [
  '-O3',
  '-fno-math-errno',
  '-fno-trapping-math',
  '-pthread',
  '-march=native',
  '-std=c++17',
  '-ffp-contract=off',
  '-shared',
  '-fPIC',
  '-fvisibility=hidden',
  `-I${includeDir}`,
  ...sources,
  '-o',
  temp,
  '-lopenblas',
  ...(libmvec ? ['-DGANMOD_LIBMVEC', '-lmvec'] : []),
  ...(onednn ? ['-DGANMOD_HAVE_DNNL', '-ldnnl', '-lgomp'] : []),
];
const result = spawnSync(compiler, args, { stdio: 'inherit' });
if (result.status !== 0) skip(`'${compiler} ${args.join(' ')}' failed`);
renameSync(temp, target);
console.log(`gan-core: built ${target}`);
