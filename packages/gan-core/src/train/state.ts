/**
 * Everything that evolves during training (both nets, the EMA generator, both optimizers, the PRNG,
 * the step counter), with conversion to and from checkpoint data.
 */
import * as tf from '@tensorflow/tfjs';

import {
  CheckpointError,
  type CheckpointData,
  type CheckpointPrivacy,
  type StoredTensor,
} from '../checkpoint/format.js';
import type { TrainConfig } from '../config.js';
import { buildGan, buildGenerator } from '../models/index.js';
import type { DataShape } from '../models/shapes.js';
import { GeneratorEma } from './ema.js';
import { CounterRng } from './prng.js';
import { adam as fusedAdam } from './adam.js';

export interface TrainingState {
  readonly config: TrainConfig;
  readonly generator: tf.LayersModel;
  readonly discriminator: tf.LayersModel;
  /** The EMA generator (a copy of the generator when emaDecay is 0): used for samples and export. */
  readonly generatorEma: tf.LayersModel;
  readonly ema: GeneratorEma;
  readonly optimizerG: tf.AdamOptimizer;
  readonly optimizerD: tf.AdamOptimizer;
  /** Replaced on restore; the discriminator's dropout reads seeds through `seeds`. */
  rng: CounterRng;
  /** Completed generator updates. */
  step: number;
  /** 0 for unconditional models. */
  readonly numClasses: number;
  /** The shape of one sample the models were built for: `[h, w, c]`, or `[2]` for toy points. */
  readonly imageShape: DataShape;
  /**
   * DP-SGD runs: the secret key of their sampling and noise (privacy/secret-stream.ts), set by
   * `train()` and kept in checkpoints (never in exports).
   */
  privacyKey?: Uint8Array;
}

/**
 * Builds fresh models and optimizers for `config` and a dataset of `shape` with `numClasses`
 * classes (a self-conditioned dcgan: clusters, with each cluster's share in `clusterShares`).
 */
export function createTrainingState(
  config: TrainConfig,
  shape: DataShape,
  numClasses: number,
  clusterShares?: readonly number[],
): TrainingState {
  const state: { rng: CounterRng } = { rng: new CounterRng(config.seed) };
  // Dropout asks for a seed at call time, so it follows the state's current PRNG after a restore.
  const seeds = { nextSeed: () => state.rng.nextSeed() };
  const options = {
    shape,
    latentDim: config.latentDim,
    numClasses,
    seeds,
    generatorWidth: config.generatorWidth,
    discriminatorWidth: config.discriminatorWidth,
    ...(clusterShares === undefined ? {} : { clusterShares }),
  };
  // Weight initialisers draw from tf's global RNG; seeding them from the config makes runs reproducible.
  const models = withSeededInitializers(config.seed, () => buildGan(config.model, options));
  const ema = buildGenerator(config.model, options);
  const generatorEma = new GeneratorEma(models.generator, ema, config.emaDecay, config.seed);
  generatorEma.reset();
  const adam = (lr: number): tf.AdamOptimizer => fusedAdam(lr, config.beta1, config.beta2, 1e-8);
  return Object.assign(state, {
    config,
    generator: models.generator,
    discriminator: models.discriminator,
    generatorEma: ema,
    ema: generatorEma,
    optimizerG: adam(config.lrG),
    optimizerD: adam(config.lrD),
    step: 0,
    numClasses: models.numClasses,
    imageShape: shape,
  });
}

/**
 * tf.layers initialisers take no seed argument and draw from Math.random; rebuilding with the same
 * seed must give the same weights, so Math.random is replaced by a seeded stream while models are built.
 */
function withSeededInitializers<T>(seed: number, build: () => T): T {
  const original = Math.random;
  const rng = new CounterRng(seed, 2 ** 40);
  Math.random = () => rng.nextFloat();
  try {
    return build();
  } finally {
    Math.random = original;
  }
}

/** Trainable variables of a model, in a stable order (the optimizer keys its moments by position). */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

function storeTensors(named: readonly { name: string; tensor: tf.Tensor }[]): StoredTensor[] {
  return named.map(({ name, tensor }) => ({
    name,
    shape: [...tensor.shape],
    values: Float32Array.from(tensor.dataSync()),
  }));
}

function modelTensors(model: tf.LayersModel): StoredTensor[] {
  return storeTensors(model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
}

async function optimizerTensors(
  optimizer: tf.AdamOptimizer,
): Promise<{ tensors: StoredTensor[]; iterations: number }> {
  const [iter, ...moments] = await optimizer.getWeights();
  const iterations = iter === undefined ? 0 : ((await iter.tensor.data())[0] ?? 0);
  iter?.tensor.dispose();
  return { tensors: storeTensors(moments), iterations };
}

/** Captures `state` as checkpoint data (weights copied out of the backend). */
export async function captureState(
  state: TrainingState,
  privacy?: CheckpointPrivacy,
): Promise<CheckpointData> {
  return {
    ...(privacy === undefined ? {} : { privacy }),
    ...(state.privacyKey === undefined ? {} : { privacyKey: state.privacyKey }),
    step: state.step,
    config: state.config,
    imageShape: [...state.imageShape],
    numClasses: state.numClasses,
    rng: state.rng.state(),
    groups: {
      generator: { tensors: modelTensors(state.generator) },
      discriminator: { tensors: modelTensors(state.discriminator) },
      generatorEma: { tensors: modelTensors(state.ema.ready()) },
      optimizerG: await optimizerTensors(state.optimizerG),
      optimizerD: await optimizerTensors(state.optimizerD),
    },
  };
}

export function restoreModel(
  model: tf.LayersModel,
  stored: readonly StoredTensor[],
  what: string,
  dir: string,
): void {
  const weights = model.weights;
  if (weights.length !== stored.length) {
    throw new CheckpointError(
      `${what} has ${stored.length} tensors, the model has ${weights.length}`,
      dir,
    );
  }
  weights.forEach((w, i) => {
    const s = stored[i] as StoredTensor;
    if (s.shape.join('x') !== w.shape.join('x')) {
      throw new CheckpointError(
        `${what} tensor ${i} (${s.name}) has shape [${s.shape.join(', ')}], the model needs [${w.shape.join(', ')}]`,
        dir,
      );
    }
  });
  const tensors = stored.map((s) => tf.tensor(s.values, s.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

async function restoreOptimizer(
  optimizer: tf.AdamOptimizer,
  variables: readonly tf.Variable[],
  stored: { tensors: StoredTensor[]; iterations?: number },
  what: string,
  dir: string,
): Promise<void> {
  const { tensors } = stored;
  // Adam keeps one first and one second moment per variable; none before its first update.
  if (tensors.length !== 0 && tensors.length !== 2 * variables.length) {
    throw new CheckpointError(
      `${what} has ${tensors.length} moments for ${variables.length} variables`,
      dir,
    );
  }
  tensors.forEach((t, i) => {
    const v = variables[i % variables.length];
    if (v !== undefined && t.shape.join('x') !== v.shape.join('x')) {
      throw new CheckpointError(
        `${what} moment ${t.name} has shape [${t.shape.join(', ')}], its variable [${v.shape.join(', ')}]`,
        dir,
      );
    }
  });
  const named = [
    { name: 'iter', tensor: tf.scalar(stored.iterations ?? 0, 'int32') },
    ...tensors.map((t) => ({ name: t.name, tensor: tf.tensor(t.values, t.shape) })),
  ];
  await optimizer.setWeights(named);
  // setWeights wraps each tensor in a variable sharing its data; the originals can go.
  tf.dispose(named.map((n) => n.tensor));
}

/** Loads checkpoint `data` (already verified) into a freshly created `state`. */
export async function restoreState(
  state: TrainingState,
  data: CheckpointData,
  dir: string,
): Promise<void> {
  if (data.numClasses !== state.numClasses)
    throw new CheckpointError(
      `holds a model of ${data.numClasses} classes or clusters, and this run builds ${state.numClasses}` +
        (state.config.model === 'dcgan'
          ? ' (a dcgan checkpoint from before self-conditioning resumes with clusters: 0)'
          : ''),
      dir,
    );
  restoreModel(state.generator, data.groups.generator.tensors, 'generator', dir);
  restoreModel(state.discriminator, data.groups.discriminator.tensors, 'discriminator', dir);
  restoreModel(state.generatorEma, data.groups.generatorEma.tensors, 'generatorEma', dir);
  state.ema.restored();
  await restoreOptimizer(
    state.optimizerG,
    trainableVariables(state.generator),
    data.groups.optimizerG,
    'optimizerG',
    dir,
  );
  await restoreOptimizer(
    state.optimizerD,
    trainableVariables(state.discriminator),
    data.groups.optimizerD,
    'optimizerD',
    dir,
  );
  state.rng = CounterRng.fromState(data.rng);
  state.step = data.step;
}

/** Releases every tensor the state owns. */
export function disposeState(state: TrainingState): void {
  state.generator.dispose();
  state.discriminator.dispose();
  state.generatorEma.dispose();
  state.optimizerG.dispose();
  state.optimizerD.dispose();
}
