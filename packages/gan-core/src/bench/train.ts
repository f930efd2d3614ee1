/**
 * `pnpm bench:train`: times GAN training steps on this machine and prints one JSON line shaped
 * like bench/torch-reference.py's, so the two can be compared side by side.
 *
 *   node dist/bench/train.js --model mlp|dcgan|vae|cvae|avatar --batch N --steps N --warmup N
 *        [--backend tensorflow|wasm|cpu] [--threads N] [--workers N] [--profile] [--stock-kernels]
 *
 * --threads N is the thread budget (default: the machine's cores): with the native kernels,
 * OpenBLAS gets N / workers threads per replica; without them each wasm replica has one.
 * --workers N trains N data-parallel replicas in worker threads (batch / N each, gradients
 * averaged exactly): the wasm backend is single-threaded in Node, this is how it uses N cores.
 * --profile adds a per-kernel breakdown of one extra step ("profile_ms"); --stock-kernels
 * measures wasm with TF.js's own kernels where they exist (only Conv2DBackpropFilter stays ours,
 * since stock wasm has none). vae/cvae time gan-core's own VAE step (decoder = the dcgan row's
 * generator) and train in one process only.
 * `--model avatar` times gan-core's own step with the emoji-avatars preset (resnet-cgan,
 * 64x64x3; see avatar-step.ts), in one process only too.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import {
  initBackend,
  loadNativeAddon,
  parseBackendName,
  registerWasmKernels,
  restoreStockWasmKernels,
  WASM_KERNEL_NAMES,
} from '../backend/index.js';
import { createAvatarTrainer } from './avatar-step.js';
import { createGanTrainer } from './gan-step.js';
import type { StepLosses } from './gan-step.js';
import { buildBenchGan } from './models.js';
import type { BenchModel } from './models.js';
import { createParallelGanTrainer } from './parallel.js';
import { profileByKernel } from './profile.js';
import { median, round2 } from './stats.js';
import type { VaeStepLosses } from '../train/vae-step.js';
import { createVaeBenchTrainer } from './vae-trainer.js';

function positiveInt(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'dcgan' },
      batch: { type: 'string', default: '64' },
      steps: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      workers: { type: 'string', default: '1' },
      threads: { type: 'string', default: String(availableParallelism()) },
      backend: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'stock-kernels': { type: 'boolean', default: false },
    },
  });
  const single =
    values.model === 'vae' || values.model === 'cvae' || values.model === 'avatar'
      ? values.model
      : null;
  const vae = single === 'vae' || single === 'cvae' ? single : null;
  if (values.model !== 'mlp' && values.model !== 'dcgan' && single === null) {
    throw new Error(`--model must be mlp, dcgan, vae, cvae or avatar, got '${values.model}'`);
  }
  const model = values.model as BenchModel | 'vae' | 'cvae' | 'avatar';
  const batch = positiveInt('batch', values.batch, 1);
  const steps = positiveInt('steps', values.steps, 1);
  const warmup = positiveInt('warmup', values.warmup, 0);
  const workers = positiveInt('workers', values.workers, 1);
  const threadBudget = positiveInt('threads', values.threads, 1);
  if (workers > 1 && values.profile) throw new Error('--profile works with --workers 1 only');
  if (workers > 1 && single !== null)
    throw new Error(`--model ${single} works with --workers 1 only`);
  const backend = await initBackend(
    values.backend === undefined ? {} : { backend: parseBackendName(values.backend, '--backend') },
  );
  let kernels = backend.name !== 'wasm' ? 'n/a' : 'gan-core';
  let blasCore: string | undefined;
  let onednn: boolean | undefined;
  let threadsPerWorker = backend.threads;
  if (backend.name === 'wasm' && values['stock-kernels']) {
    registerWasmKernels({ native: false });
    restoreStockWasmKernels(WASM_KERNEL_NAMES.filter((k) => k !== 'Conv2DBackpropFilter'));
    kernels = 'stock';
    threadsPerWorker = 1;
  } else if (backend.nativeKernels?.active === true) {
    // OpenBLAS's thread count is process-wide: the replicas' threads share the budget.
    threadsPerWorker = loadNativeAddon().module!.setThreads(
      Math.max(1, Math.floor(threadBudget / workers)),
    );
    kernels = 'gan-core+native';
    blasCore = loadNativeAddon().module!.blasCore?.();
    onednn = loadNativeAddon().module!.onednn?.();
  }

  let step: () => Promise<StepLosses> | StepLosses | VaeStepLosses;
  let profile: Awaited<ReturnType<typeof profileByKernel>> | undefined;
  let close: () => Promise<void> | void;
  let inSync: boolean | undefined;
  if (vae !== null) {
    const trainer = createVaeBenchTrainer(vae, batch);
    step = () => trainer.step();
    close = () => trainer.dispose();
  } else if (model === 'avatar') {
    const trainer = createAvatarTrainer(batch);
    step = () => trainer.step();
    close = () => trainer.dispose();
  } else if (workers === 1) {
    const trainer = createGanTrainer(buildBenchGan(model as BenchModel), batch);
    step = () => trainer.step();
    close = () => trainer.dispose();
  } else {
    const trainer = await createParallelGanTrainer(
      model as BenchModel,
      batch,
      workers,
      backend.name,
    );
    step = () => trainer.step();
    close = async () => {
      const sums = await trainer.checksums();
      inSync = sums.every((s) => s === sums[0]);
      await trainer.dispose();
    };
  }

  const times: number[] = [];
  const cpuTimes: number[] = [];
  let losses: StepLosses | VaeStepLosses = { discriminator: NaN, generator: NaN };
  for (let i = 0; i < warmup + steps; i++) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    losses = await step();
    if (i >= warmup) {
      times.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      cpuTimes.push((used.user + used.system) / 1000);
    }
  }
  if (values.profile) {
    profile = await profileByKernel(() => {
      void step();
    });
  }
  await close();

  const result = {
    impl: `tfjs-${tf.version.tfjs}`,
    model,
    batch,
    threads: threadsPerWorker * workers,
    workers,
    backend: backend.name,
    kernels,
    ...(blasCore === undefined ? {} : { blas_core: blasCore }),
    ...(onednn === undefined ? {} : { onednn }),
    steps,
    ms_per_step_median: round2(median(times)),
    ms_per_step_min: round2(Math.min(...times)),
    ms_per_step_max: round2(Math.max(...times)),
    // CPU time of all threads: less sensitive than wall time to other processes on the machine.
    cpu_ms_per_step_median: round2(median(cpuTimes)),
    final_losses:
      'elbo' in losses
        ? { elbo: round2(losses.elbo), kl: round2(losses.kl) }
        : { d: round2(losses.discriminator), g: round2(losses.generator) },
    ...(inSync === undefined ? {} : { replicas_in_sync: inSync }),
    ...(profile === undefined ? {} : { profile_ms: profile }),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:train: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
