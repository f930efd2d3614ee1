/**
 * Worker thread of {@link createParallelGanTrainer}: one wasm backend training one replica on
 * its share of the batch, averaging gradients with the other replicas after every backward pass.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { AllReduce, initBackend } from '../backend/index.js';
import { createGanTrainer } from './gan-step.js';
import { buildBenchGan } from './models.js';
import type { ReplicaInit, ReplicaReply, ReplicaRequest } from './parallel-protocol.js';

async function main(): Promise<void> {
  const init = workerData as ReplicaInit;
  const port = parentPort!;
  await initBackend({ backend: init.backend, logger: null });
  const gan = buildBenchGan(init.model);
  // Same initial weights everywhere (sent by the parent); from then on identical averaged
  // gradients keep the replicas identical.
  tf.tidy(() => {
    const weights = [...gan.generator.weights, ...gan.discriminator.weights];
    weights.forEach((w, i) => w.write(tf.tensor(init.weights[i]!, w.shape as number[])));
  });
  const exchange = new AllReduce(init.buffers, init.rank);
  const trainer = createGanTrainer(gan, init.batch, {
    averageGradients: (flat) => exchange.meanInPlace(flat),
  });
  port.on('message', (request: ReplicaRequest) => {
    if (request.type === 'step') {
      const losses = trainer.step();
      port.postMessage({ type: 'step', losses } satisfies ReplicaReply);
    } else if (request.type === 'checksum') {
      const sum = tf.tidy(() =>
        // Trainable weights only: batch norm's moving statistics follow each replica's data.
        [...gan.generator.trainableWeights, ...gan.discriminator.trainableWeights]
          .map((w) => tf.sum(tf.abs(w.read())).dataSync()[0]!)
          .reduce((a, b) => a + b, 0),
      );
      port.postMessage({ type: 'checksum', sum } satisfies ReplicaReply);
    } else {
      trainer.dispose();
      port.close();
    }
  });
  port.postMessage({ type: 'ready' } satisfies ReplicaReply);
}

main().catch((error: unknown) => {
  parentPort!.postMessage({
    type: 'error',
    message: error instanceof Error ? error.message : String(error),
  } satisfies ReplicaReply);
});
