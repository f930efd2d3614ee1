/** Messages between {@link createParallelGanTrainer} and its worker threads. */
import type { AllReduceBuffers } from '../backend/all-reduce.js';
import type { BackendName } from '../backend/init.js';
import type { StepLosses } from './gan-step.js';
import type { BenchModel } from './models.js';

/** workerData of a replica. */
export interface ReplicaInit {
  model: BenchModel;
  backend: BackendName;
  /** This replica's share of the batch. */
  batch: number;
  rank: number;
  buffers: AllReduceBuffers;
  /** Initial weights, generator's then discriminator's, in `model.weights` order. */
  weights: Float32Array[];
}

export type ReplicaRequest = { type: 'step' } | { type: 'checksum' } | { type: 'close' };

export type ReplicaReply =
  | { type: 'ready' }
  | { type: 'step'; losses: StepLosses }
  | { type: 'checksum'; sum: number }
  | { type: 'error'; message: string };
