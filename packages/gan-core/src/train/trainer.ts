/** The training loop: steps, callbacks, checkpoints, cancellation and the divergence watchdog. */
import * as tf from '@tensorflow/tfjs';

import { initBackend } from '../backend/index.js';
import { CheckpointError, privacyKeyFile, type CheckpointPrivacy } from '../checkpoint/format.js';
import { readCheckpoint } from '../checkpoint/read.js';
import { pruneCheckpoints, writeCheckpoint } from '../checkpoint/write.js';
import {
  ConfigError,
  isConditionalModel,
  isVaeModel,
  parseTrainConfig,
  requestedClusters,
  type TrainConfig,
  type TrainConfigInput,
} from '../config.js';
import { ModelShapeError } from '../models/shapes.js';
import { crossSampleLayers } from '../privacy/dp-sgd.js';
import { newPrivacyKey } from '../privacy/secret-stream.js';
import { accountantFor, noisedStepsAt, planPrivacy } from '../privacy/plan.js';
import { gridPng } from '../sampling/grid.js';
import { selfConditioningThresholds } from '../models/self-conditioned.js';
import { latentIntoCluster } from '../sampling/latent.js';
import { generate, generatePoints, generatorSignature } from '../sampling/sample.js';
import { scatterPng } from '../sampling/scatter.js';
import { selfConditioningData } from './clusters.js';
import { isTrainingPoints, trainingDataFromDataset, type TrainingData } from './data.js';
import {
  meanEmbeddingStep,
  meanEmbeddingTargets,
  type MeanEmbeddingTargets,
} from './mean-embedding-step.js';
import { CounterRng } from './prng.js';
import {
  captureState,
  createTrainingState,
  disposeState,
  restoreState,
  type TrainingState,
} from './state.js';
import { trainStep } from './step.js';
import { vaeStep } from './vae-step.js';
import type { PrivacySpend, TrainOptions, TrainResult } from './types.js';
import { DivergenceWatchdog } from './watchdog.js';

/** Offset of the fixed sample-grid stream, so grids never share noise with training draws. */
const sampleStreamOffset = 0x5a3c9e1f;

/** Steps/s over a sliding window of recent step durations. */
class Throughput {
  private readonly times: number[] = [];
  tick(now: number): number {
    this.times.push(now);
    if (this.times.length > 21) this.times.shift();
    const first = this.times[0] as number;
    return this.times.length < 2
      ? 0
      : ((this.times.length - 1) * 1000) / Math.max(1e-9, now - first);
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Real points drawn in every scatter plot of a toy run (grey, under the generated ones). */
const scatterRealPoints = 2000;

/** The fixed latent (and label) inputs of every sample grid of a run. */
interface SampleInputs {
  z: tf.Tensor2D;
  labels: number[] | undefined;
  cols: number;
  /** Toy runs: the real points `x, y, ...` of the scatter plot; null for image runs. */
  realPoints: Float32Array | null;
}

function sampleInputs(
  config: TrainConfig,
  numClasses: number,
  data: TrainingData,
  generator: tf.LayersModel,
): SampleInputs {
  const rng = new CounterRng((config.seed + sampleStreamOffset) >>> 0);
  // Conditional: one row per class (self-conditioned: per cluster), as many columns as fit
  // sampleCount (rounded up).
  const cols =
    numClasses > 0
      ? Math.ceil(config.sampleCount / numClasses)
      : Math.ceil(Math.sqrt(config.sampleCount));
  const n = numClasses > 0 ? cols * numClasses : config.sampleCount;
  const labels =
    numClasses > 0 ? Array.from({ length: n }, (_, i) => Math.floor(i / cols)) : undefined;
  let realPoints: Float32Array | null = null;
  if (isTrainingPoints(data)) {
    // Batch 0 of the run's own order: a fixed, reproducible reference sample.
    const { points } = data.batch(0, Math.min(data.size, scatterRealPoints));
    realPoints = points.dataSync() as Float32Array;
    points.dispose();
  }
  const z: tf.Tensor2D = tf.randomNormal([n, config.latentDim], 0, 1, 'float32', rng.nextSeed());
  const cuts = selfConditioningThresholds(generator);
  if (cuts === null) return { z, labels, cols, realPoints };
  // A self-conditioned G takes no label: row c's z[0] is moved inside cluster c.
  const firsts = z.slice([0, 0], [-1, 1]);
  const drawn = firsts.dataSync();
  firsts.dispose();
  const column = Float32Array.from({ length: n }, (_, i) =>
    latentIntoCluster(drawn[i] as number, cuts, Math.floor(i / cols)),
  );
  const placed = tf.tidy(() =>
    tf.concat<tf.Tensor2D>([tf.tensor2d(column, [n, 1]), z.slice([0, 1], [-1, -1])], 1),
  );
  z.dispose();
  return { z: placed, labels: undefined, cols, realPoints };
}

/**
 * Trains a GAN described by `configInput` on `options.dataset`.
 *
 * Resolves (never rejects for divergence or cancellation) with the run's final status; rejects on
 * invalid config ({@link ConfigError}), unusable checkpoints ({@link CheckpointError}) or a dataset
 * the model cannot be built for ({@link ModelShapeError}).
 */
export async function train(
  configInput: TrainConfig | TrainConfigInput,
  options: TrainOptions,
): Promise<TrainResult> {
  return trainValidated(parseTrainConfig(configInput), options);
}

/**
 * {@link train} for a config its caller has already validated with {@link parseTrainConfig} (an
 * app's trust boundary, e.g. the trainer worker reading a stored run): it is not parsed again.
 * Resolves and rejects like `train`, except that the config is taken as it is.
 */
export async function trainValidated(
  validated: TrainConfig,
  options: TrainOptions,
): Promise<TrainResult> {
  // A dcgan's checkpoints record the clusters it asked for, so that a config without the field
  // means a checkpoint from before self-conditioning (checkpoint/read.ts).
  const config =
    validated.model === 'dcgan' && validated.clusters === undefined
      ? { ...validated, clusters: requestedClusters(validated) }
      : validated;
  const { callbacks = {}, signal, checkpointDir, logger } = options;
  const source =
    'numClasses' in options.dataset
      ? options.dataset
      : trainingDataFromDataset(options.dataset, config.seed);
  if (isConditionalModel(config.model) && source.numClasses < 2) {
    throw new ModelShapeError(
      `model ${config.model} needs a labelled dataset with at least 2 classes, got ${source.numClasses}`,
    );
  }
  if (options.backend !== 'current') {
    await initBackend({
      ...(options.backend === undefined || options.backend === 'auto'
        ? {}
        : { backend: options.backend }),
      logger: null,
    });
  }
  await tf.ready();
  // Self-conditioning (models/self-conditioned.ts): the dcgan trains on clusters of the images.
  const clusters = isTrainingPoints(source) ? null : selfConditioningData(config, source);
  if (clusters !== null)
    logger?.info('self-conditioning: clustered the training images', {
      clusters: clusters.numClasses,
      seconds: Number(clusters.seconds.toFixed(2)),
    });
  const dataset = clusters?.data ?? source;
  const resumed =
    options.resumeFrom === undefined ? null : await readCheckpoint(options.resumeFrom, config);
  const privacy = planPrivacy(config, dataset.size, resumed?.privacy?.noiseMultiplier);
  const state = createTrainingState(
    config,
    dataset.shape,
    isConditionalModel(config.model) ? dataset.numClasses : (clusters?.numClasses ?? 0),
    clusters?.sizes,
  );
  if (privacy !== null && privacy.mechanism === 'dp-sgd-d') {
    const mixing = crossSampleLayers(state.discriminator);
    const problem =
      mixing.length > 0
        ? `its discriminator mixes the examples of a batch (${mixing.join(', ')}), so one image's gradient is not its own`
        : dataset.examples === undefined
          ? 'its data source cannot read examples by index (Poisson sampling needs it)'
          : null;
    if (problem !== null) {
      disposeState(state);
      throw new ConfigError([
        { path: 'privacy', message: `model ${config.model} cannot train privately: ${problem}` },
      ]);
    }
  }
  const accountant = privacy === null ? null : accountantFor(privacy, state.step);
  const spend = (): PrivacySpend | undefined =>
    privacy === null || accountant === null
      ? undefined
      : {
          mechanism: privacy.mechanism === 'mean-embedding' ? 'dp-merf' : 'dp-sgd-d',
          epsilon: accountant.epsilon(privacy.delta),
          delta: privacy.delta,
          noisedSteps: accountant.steps,
          noiseMultiplier: privacy.noiseMultiplier,
          sampleRate: privacy.sampleRate,
          clipNorm: privacy.clipNorm,
          ...(privacy.features === undefined
            ? {}
            : { features: privacy.features, bandwidth: privacy.bandwidth }),
        };
  const samples = sampleInputs(config, state.numClasses, dataset, state.generator);
  let lastCheckpoint: string | undefined;
  let targets: MeanEmbeddingTargets | null = null;

  const checkpoint = async (): Promise<void> => {
    if (checkpointDir === undefined) return;
    const captured = await captureState(state, checkpointPrivacy(spend()));
    const data = targets === null ? captured : { ...captured, release: targets.release };
    const dir = await writeCheckpoint(checkpointDir, data);
    await pruneCheckpoints(checkpointDir, config.checkpointKeep);
    lastCheckpoint = dir;
    await callbacks.onCheckpoint?.({ step: state.step, dir });
  };
  const finish = (result: Omit<TrainResult, 'checkpoint' | 'privacy'>): TrainResult => {
    const spent = spend();
    const full = spent === undefined ? result : { ...result, privacy: spent };
    logger?.info(`training ${full.status}`, { ...full });
    return lastCheckpoint === undefined ? full : { ...full, checkpoint: lastCheckpoint };
  };

  try {
    if (resumed !== null && options.resumeFrom !== undefined) {
      await restoreState(state, resumed, options.resumeFrom);
      if (privacy !== null) accountant?.restore(noisedStepsAt(privacy, state.step));
      if (privacy !== null && privacy.mechanism !== 'mean-embedding') {
        // Checkpoints from before the key drew sampling and noise from the public seed: their
        // accounting does not hold, so they do not continue.
        if (resumed.privacyKey === undefined)
          throw new CheckpointError(
            `has no privacy key (${privacyKeyFile}): its DP-SGD sampling and noise came from the public seed; start a new run`,
            options.resumeFrom,
          );
        state.privacyKey = resumed.privacyKey;
      }
      logger?.info('resumed from checkpoint', { dir: options.resumeFrom, step: state.step });
    }
    if (privacy?.mechanism === 'mean-embedding') {
      if (isTrainingPoints(dataset))
        throw new ConfigError([
          { path: 'privacy.mechanism', message: 'mean-embedding trains image generators only' },
        ]);
      const stored = resumed?.release;
      if (resumed !== null && stored === undefined)
        throw new CheckpointError(
          'has no released embedding (release.f64): resuming would query the data again',
          options.resumeFrom ?? '',
        );
      targets = meanEmbeddingTargets(privacy, dataset, config.seed, stored);
      logger?.info(
        stored === undefined
          ? 'private training (DP-MERF): released the noisy mean embedding'
          : 'private training (DP-MERF): read the released mean embedding from the checkpoint',
        {
          noiseMultiplier: privacy.noiseMultiplier,
          features: privacy.features,
          bandwidth: privacy.bandwidth,
          delta: privacy.delta,
          epsilon: accountant?.epsilon(privacy.delta),
        },
      );
      // Saved at once: a crash before the first checkpoint would otherwise cost a second release.
      if (stored === undefined) await checkpoint();
    } else if (privacy !== null) {
      // The secret of this run's sampling and noise (privacy/secret-stream.ts).
      state.privacyKey ??= newPrivacyKey();
      logger?.info('private training (DP-SGD on D)', {
        noiseMultiplier: privacy.noiseMultiplier,
        sampleRate: privacy.sampleRate,
        clipNorm: privacy.clipNorm,
        delta: privacy.delta,
        ...(privacy.targetEpsilon === undefined ? {} : { targetEpsilon: privacy.targetEpsilon }),
      });
    }
    let warnedBudget = false;
    logger?.info('training started', {
      model: config.model,
      ...(isVaeModel(config.model) ? { beta: config.beta } : { loss: config.loss }),
      backend: tf.getBackend(),
      step: state.step,
    });
    const watchdog = new DivergenceWatchdog(config.watchdog, config.loss !== 'wgan-gp');
    const throughput = new Throughput();
    throughput.tick(performance.now());

    while (state.step < config.steps) {
      if (signal?.aborted === true) {
        await checkpoint();
        return finish({ status: 'cancelled', step: state.step });
      }
      if (privacy !== null && accountant !== null && privacy.targetEpsilon !== undefined) {
        // The spend after the next step, before taking it: a stopped run never passes the budget.
        const next = accountantFor(privacy, state.step + 1).epsilon(privacy.delta);
        if (next > privacy.targetEpsilon && privacy.onTarget === 'stop') {
          await checkpoint();
          return finish({
            status: 'completed',
            step: state.step,
            reason: `privacy budget: another step would spend ε ${next.toFixed(3)} > target ${privacy.targetEpsilon} (δ ${privacy.delta})`,
          });
        }
        if (next > privacy.targetEpsilon && !warnedBudget) {
          warnedBudget = true;
          logger?.warn('privacy budget passed; training on (privacy.onTarget is warn)', {
            step: state.step + 1,
            epsilon: next,
            targetEpsilon: privacy.targetEpsilon,
          });
        }
      }
      const losses =
        targets !== null
          ? meanEmbeddingStep(state, targets)
          : isVaeModel(config.model)
            ? vaeStep(state, dataset)
            : trainStep(state, dataset, privacy);
      accountant?.step(privacy?.noisedPerStep ?? 0);
      const step = state.step;
      const spent = spend();
      await callbacks.onStep?.({
        step,
        losses,
        stepsPerSec: throughput.tick(performance.now()),
        ...(spent === undefined ? {} : { privacy: spent }),
      });
      const reason = watchdog.check(step, losses);
      if (reason !== null) {
        // No checkpoint: the weights are what diverged.
        logger?.warn('training diverged', { step, reason });
        return finish({ status: 'diverged', step, reason });
      }
      if (config.sampleEvery > 0 && step % config.sampleEvery === 0)
        await emitSamples(state, samples, callbacks);
      if (config.evalEvery > 0 && step % config.evalEvery === 0) await runEval(state, options);
      if (config.checkpointEvery > 0 && step % config.checkpointEvery === 0 && step < config.steps)
        await checkpoint();
      await yieldToEventLoop();
    }
    await checkpoint();
    return finish({ status: 'completed', step: state.step });
  } finally {
    if (targets !== null) tf.dispose([targets.means, targets.map.frequencies]);
    samples.z.dispose();
    disposeState(state);
  }
}

async function emitSamples(
  state: TrainingState,
  inputs: SampleInputs,
  callbacks: TrainOptions['callbacks'],
): Promise<void> {
  if (callbacks?.onSamples === undefined) return;
  if (inputs.realPoints !== null) {
    // Toy points: a grid of 2-pixel "images" says nothing; a scatter plot shows the modes hit.
    const points = generatePoints(state.ema.ready(), inputs.z);
    try {
      await callbacks.onSamples({
        step: state.step,
        kind: 'scatter',
        png: scatterPng(inputs.realPoints, points),
        images: points,
        cols: 0,
      });
    } finally {
      points.dispose();
    }
    return;
  }
  const images = generate(state.ema.ready(), inputs.z, inputs.labels);
  try {
    await callbacks.onSamples({
      step: state.step,
      kind: 'grid',
      png: gridPng(images, inputs.cols),
      images,
      cols: inputs.cols,
    });
  } finally {
    images.dispose();
  }
}

async function runEval(state: TrainingState, options: TrainOptions): Promise<void> {
  const callbacks = options.callbacks;
  if (callbacks?.onEval === undefined) return;
  const { config } = state;
  // A self-conditioned G draws its own cluster from z: only class-conditional ones take labels.
  const { numClasses } = generatorSignature(state.generator);
  // The EMA generator is read lazily: a callback that skips this step (bench:quality asks every
  // step and scores on a clock) must not pay for its statistics refresh.
  const metrics = await callbacks.onEval({
    step: state.step,
    config,
    get generator() {
      return state.ema.ready();
    },
    sample: (n, seed) =>
      tf.tidy(() => {
        const rng = new CounterRng(seed >>> 0);
        const labels =
          numClasses > 0 ? Array.from({ length: n }, () => rng.nextInt(numClasses)) : undefined;
        return generate(
          state.ema.ready(),
          tf.randomNormal([n, config.latentDim], 0, 1, 'float32', rng.nextSeed()),
          labels,
        );
      }),
    samplePoints: (n, seed) =>
      tf.tidy(() =>
        generatePoints(
          state.ema.ready(),
          tf.randomNormal(
            [n, config.latentDim],
            0,
            1,
            'float32',
            new CounterRng(seed >>> 0).nextSeed(),
          ),
        ),
      ),
  });
  if (metrics) options.logger?.info('eval', { step: state.step, ...metrics });
}

/** The checkpoint's privacy record of a spend (the mechanism's name as checkpoints store it). */
function checkpointPrivacy(spent: PrivacySpend | undefined): CheckpointPrivacy | undefined {
  if (spent === undefined) return undefined;
  const { mechanism, ...rest } = spent;
  return { ...rest, mechanism: mechanism === 'dp-merf' ? 'mean-embedding' : 'dp-sgd-d' };
}
