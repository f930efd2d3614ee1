import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { createAllReduceBuffers } from '../src/backend/all-reduce.js';
import type { AllReduceBuffers } from '../src/backend/all-reduce.js';
import { mlpGan } from '../src/bench/models.js';

/** all-reduce.ts has no imports: transpiled, it runs in plain worker threads as a data: URL. */
function allReduceModuleUrl(): string {
  const source = readFileSync(new URL('../src/backend/all-reduce.ts', import.meta.url), 'utf8');
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  return `data:text/javascript;base64,${Buffer.from(js).toString('base64')}`;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.url).then(({ AllReduce }) => {
  const group = new AllReduce(workerData.buffers, workerData.rank);
  const results = [];
  for (let round = 0; round < workerData.rounds; round++) {
    const v = new Float32Array(workerData.length);
    for (let i = 0; i < v.length; i++) v[i] = Math.sin(i * 0.37 + workerData.rank * 1.3 + round) * (workerData.rank + 1);
    group.meanInPlace(v);
    results.push(v);
  }
  parentPort.postMessage(results);
});`;

function runReplica(
  url: string,
  buffers: AllReduceBuffers,
  rank: number,
  rounds: number,
  length: number,
) {
  return new Promise<Float32Array[]>((resolve, reject) => {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { url, buffers, rank, rounds, length },
    });
    worker.once('message', (m: Float32Array[]) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe('AllReduce', () => {
  it('gives every replica the same, exact mean, round after round', async () => {
    const workers = 3;
    const rounds = 4;
    const length = 1001;
    const url = allReduceModuleUrl();
    const buffers = createAllReduceBuffers(workers, 2000);
    const results = await Promise.all(
      Array.from({ length: workers }, (_, rank) => runReplica(url, buffers, rank, rounds, length)),
    );
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < length; i++) {
        let sum = 0;
        for (let rank = 0; rank < workers; rank++) {
          sum += Math.fround(Math.sin(i * 0.37 + rank * 1.3 + round) * (rank + 1));
        }
        expect(results[0]![round]![i]).toBe(Math.fround(sum / workers));
      }
      // Bit-identical on every replica: identical optimizer updates keep them in sync.
      for (let rank = 1; rank < workers; rank++) {
        expect(results[rank]![round]).toEqual(results[0]![round]);
      }
    }
  }, 60_000);

  it('rejects a vector larger than its capacity', async () => {
    const { AllReduce } = await import('../src/backend/all-reduce.js');
    const group = new AllReduce(createAllReduceBuffers(1, 4), 0);
    expect(() => group.meanInPlace(new Float32Array(5))).toThrow(/capacity 4/);
  });
});

describe('data-parallel gradients', () => {
  it('the mean of equal shards gradients is the full-batch gradient (no batch norm)', async () => {
    await tf.setBackend('cpu');
    const { discriminator } = mlpGan();
    const vars = discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = tf.randomUniform([8, 28, 28, 1], -1, 1, 'float32', 7);
    const loss = (batch: tf.Tensor) => () =>
      tf.losses.sigmoidCrossEntropy<tf.Tensor, tf.Scalar>(
        tf.ones([batch.shape[0], 1]),
        discriminator.apply(batch, { training: true }) as tf.Tensor,
      );
    const full = tf.variableGrads(loss(x), vars).grads;
    const a = tf.variableGrads(loss(x.slice(0, 4)), vars).grads;
    const b = tf.variableGrads(loss(x.slice(4, 4)), vars).grads;
    for (const v of vars) {
      const mean = tf.div(tf.add(a[v.name]!, b[v.name]!), 2);
      const diff = tf.max(tf.abs(tf.sub(mean, full[v.name]!))).dataSync()[0]!;
      const scale = tf.max(tf.abs(full[v.name]!)).dataSync()[0]!;
      expect(diff / scale, v.name).toBeLessThan(1e-5);
    }
  }, 60_000);
});
