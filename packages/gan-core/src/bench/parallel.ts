/**
 * Data-parallel GAN training over worker threads: the wasm backend is single-threaded in Node,
 * so N replicas, each with its own backend and 1/N of the batch, use N cores. Gradients are
 * averaged exactly through shared memory (see AllReduce), so every replica applies the same
 * update. The discriminator (no batch norm) gets exactly the full-batch gradient; batch norm in
 * the generator normalises over each replica's share, as PyTorch DDP without SyncBatchNorm.
 */
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { createAllReduceBuffers } from '../backend/all-reduce.js';
import type { BackendName } from '../backend/init.js';
import type { StepLosses } from './gan-step.js';
import { buildBenchGan } from './models.js';
import type { BenchModel } from './models.js';
import type { ReplicaInit, ReplicaReply, ReplicaRequest } from './parallel-protocol.js';

/** A data-parallel trainer: same step semantics as createGanTrainer, asynchronous. */
export interface ParallelGanTrainer {
  step(): Promise<StepLosses>;
  /** Sum of |w| over the trainable weights, per replica: equal when the replicas are in sync. */
  checksums(): Promise<number[]>;
  dispose(): Promise<void>;
}

class Replica {
  private pending: ((reply: ReplicaReply) => void) | undefined;
  private failure: Error | undefined;

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: ReplicaReply) => this.settle(reply));
    worker.on('error', (error) => this.fail(error));
  }

  private settle(reply: ReplicaReply): void {
    if (reply.type === 'error') return this.fail(new Error(`replica failed: ${reply.message}`));
    const resolve = this.pending;
    this.pending = undefined;
    resolve?.(reply);
  }

  private fail(error: Error): void {
    this.failure = error;
    void this.worker.terminate();
    this.pending?.({ type: 'error', message: error.message });
  }

  /** Next reply (sending `request` first, if given). */
  async ask(request?: ReplicaRequest): Promise<ReplicaReply> {
    if (this.failure) throw this.failure;
    const reply = new Promise<ReplicaReply>((resolve) => (this.pending = resolve));
    if (request) this.worker.postMessage(request);
    const result = await reply;
    if (result.type === 'error') throw new Error(result.message);
    return result;
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' } satisfies ReplicaRequest);
    await this.worker.terminate();
  }
}

/**
 * Starts `workers` replicas of the benchmark GAN, each training on `batch / workers` samples.
 * The initial weights are drawn here (on the current backend) and sent to every replica.
 */
export async function createParallelGanTrainer(
  model: BenchModel,
  batch: number,
  workers: number,
  backend: BackendName,
): Promise<ParallelGanTrainer> {
  if (batch % workers !== 0)
    throw new Error(`batch ${batch} is not divisible by ${workers} workers`);
  const gan = buildBenchGan(model);
  const all = [...gan.generator.weights, ...gan.discriminator.weights];
  const weights = all.map((w) => w.read().dataSync() as Float32Array);
  const capacity = Math.max(gan.generator.countParams(), gan.discriminator.countParams());
  gan.generator.dispose();
  gan.discriminator.dispose();
  tf.disposeVariables();

  const buffers = createAllReduceBuffers(workers, capacity);
  const replicas = Array.from({ length: workers }, (_, rank) => {
    const init: ReplicaInit = { model, backend, batch: batch / workers, rank, buffers, weights };
    return new Replica(
      new Worker(new URL('./parallel-worker.js', import.meta.url), { workerData: init }),
    );
  });
  await Promise.all(replicas.map((r) => r.ask()));

  return {
    async step(): Promise<StepLosses> {
      const replies = await Promise.all(replicas.map((r) => r.ask({ type: 'step' })));
      const losses = replies
        .map((r) => (r.type === 'step' ? r.losses : undefined))
        .filter((l) => l !== undefined);
      const mean = (f: (l: StepLosses) => number): number =>
        losses.reduce((s, l) => s + f(l), 0) / losses.length;
      return { discriminator: mean((l) => l.discriminator), generator: mean((l) => l.generator) };
    },
    async checksums(): Promise<number[]> {
      const replies = await Promise.all(replicas.map((r) => r.ask({ type: 'checksum' })));
      return replies.map((r) => (r.type === 'checksum' ? r.sum : NaN));
    },
    async dispose(): Promise<void> {
      await Promise.all(replicas.map((r) => r.close()));
    },
  };
}
