/** Model builders and the `buildGan` entry point that picks one by config. */
import type * as tf from '@tensorflow/tfjs';

import { widthRefusal, type ModelKind } from '../config.js';
import { buildCdcganDiscriminator, buildCdcganGenerator } from './cdcgan.js';
import { buildDcganDiscriminator, buildDcganGenerator } from './dcgan.js';
import { buildMlpDiscriminator, buildMlpGenerator } from './mlp.js';
import { buildResnetCganDiscriminator, buildResnetCganGenerator } from './resnet-cgan.js';
import { buildSelfConditionedGenerator } from './self-conditioned.js';
import { fixedSeedSource, type SeedSource } from './seeded-dropout.js';
import {
  checkImageShape,
  checkLatentAndClasses,
  checkPointShape,
  ModelShapeError,
  type DataShape,
  type ImageShape,
} from './shapes.js';
import { buildToyDiscriminator, buildToyGenerator } from './toy.js';
import { buildVaeDecoder, buildVaeEncoder } from './vae.js';

export * from './cdcgan.js';
export * from './dcgan.js';
export * from './mlp.js';
export { SeededDropout, fixedSeedSource, type SeedSource } from './seeded-dropout.js';
export * from './shapes.js';
export * from './toy.js';
export * from './resnet-cgan.js';
export * from './self-conditioned.js';
export * from './spectral-norm.js';
export { AvgPool2x2, GlobalSumPooling } from './pooling.js';
export * from './vae.js';
export { fastConv2d, type Conv2DArgs } from './fast-conv2d.js';
export { fastDense, type DenseArgs } from './fast-dense.js';
export { FastBatchNorm, fastBatchNorm, type FastBatchNormArgs } from './fast-batch-norm.js';

export interface BuildGanOptions {
  /** Image shape `[h, w, c]` for mlp/dcgan/cdcgan; point shape `[2]` for toy-mlp. */
  shape: DataShape;
  latentDim: number;
  /**
   * Required (>= 2) for `cdcgan`, `cvae` and `resnet-cgan`. For `dcgan`, >= 2 builds the
   * self-conditioned DCGAN on that many clusters (models/self-conditioned.ts); ignored otherwise.
   */
  numClasses?: number;
  /** Self-conditioned dcgan: each cluster's share of the data (default equal). */
  clusterShares?: readonly number[];
  /** Seeds for the discriminator's dropout masks; defaults to a fixed deterministic source. */
  seeds?: SeedSource;
  /**
   * dcgan, cdcgan, vae, cvae: width multiplier of the generator's (decoder's) channels, default 1;
   * refused for the other kinds.
   */
  generatorWidth?: number | undefined;
  /** The same for the discriminator's (encoder's) channels. */
  discriminatorWidth?: number | undefined;
}

/**
 * A generator/discriminator pair. Conditional pairs take a one-hot label as their second input.
 * For `vae`/`cvae` the decoder fills the generator slot and the encoder the discriminator slot.
 */
export interface GanModels {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  /** Number of classes for conditional models, 0 for unconditional ones. */
  numClasses: number;
}

/**
 * Checks that `shape` suits `kind` (points `[2]` for toy-mlp, a supported image shape otherwise)
 * and returns it typed for the image builders.
 */
function checkShapeFor(kind: ModelKind, shape: DataShape): ImageShape {
  if (kind === 'toy-mlp') checkPointShape(shape);
  else checkImageShape(shape);
  // Only read by the image builders, for which checkImageShape has accepted it.
  return shape as ImageShape;
}

/** Builds only the generator of `kind` (e.g. the EMA copy, or to load exported weights into). */
export function buildGenerator(
  kind: ModelKind,
  options: Omit<BuildGanOptions, 'seeds'>,
): tf.LayersModel {
  const { latentDim, generatorWidth } = options;
  const shape = checkShapeFor(kind, options.shape);
  checkLatentAndClasses(latentDim);
  checkWidths(kind, options);
  switch (kind) {
    case 'toy-mlp':
      return buildToyGenerator({ shape: options.shape, latentDim });
    case 'mlp':
      return buildMlpGenerator({ shape, latentDim });
    case 'cmlp':
      return buildMlpGenerator({
        shape,
        latentDim,
        numClasses: requireClasses(options.numClasses, kind),
      });
    case 'dcgan':
      return selfConditioned(options)
        ? buildSelfConditionedGenerator({
            shape,
            latentDim,
            generatorWidth,
            numClasses: options.numClasses ?? 0,
            ...(options.clusterShares === undefined
              ? {}
              : { clusterShares: options.clusterShares }),
          })
        : buildDcganGenerator({ shape, latentDim, generatorWidth });
    case 'cdcgan':
      return buildCdcganGenerator({
        shape,
        latentDim,
        numClasses: requireClasses(options.numClasses),
        generatorWidth,
      });
    case 'vae':
      return buildVaeDecoder({ shape, latentDim, generatorWidth });
    case 'cvae':
      return buildVaeDecoder({
        shape,
        latentDim,
        numClasses: requireClasses(options.numClasses, kind),
        generatorWidth,
      });
    case 'resnet-cgan':
      return buildResnetCganGenerator({
        shape,
        latentDim,
        numClasses: requireClasses(options.numClasses, kind),
      });
  }
}

function checkWidths(
  kind: ModelKind,
  widths: Pick<BuildGanOptions, 'generatorWidth' | 'discriminatorWidth'>,
): void {
  for (const field of ['generatorWidth', 'discriminatorWidth'] as const) {
    const width = widths[field];
    if (width === undefined) continue;
    const refusal = widthRefusal(field, kind);
    if (refusal !== undefined) throw new ModelShapeError(refusal);
    if (!Number.isFinite(width) || width <= 0)
      throw new ModelShapeError(`${field} must be a positive number (got ${width})`);
  }
}

/** A dcgan built on clusters: `numClasses` of at least 2. */
function selfConditioned(options: Pick<BuildGanOptions, 'numClasses'>): boolean {
  return (options.numClasses ?? 0) >= 2;
}

function requireClasses(numClasses: number | undefined, kind: ModelKind = 'cdcgan'): number {
  if (numClasses === undefined) {
    throw new ModelShapeError(`model ${kind} needs numClasses: the dataset must have class labels`);
  }
  return numClasses;
}

/**
 * Builds the generator and discriminator of `kind` sized for `shape`.
 * @throws ModelShapeError when the shape does not suit the kind (e.g. points for dcgan).
 */
export function buildGan(kind: ModelKind, options: BuildGanOptions): GanModels {
  const { latentDim, generatorWidth, discriminatorWidth } = options;
  const shape = checkShapeFor(kind, options.shape);
  checkLatentAndClasses(latentDim);
  checkWidths(kind, options);
  const seeds = options.seeds ?? fixedSeedSource();
  switch (kind) {
    case 'toy-mlp':
      return {
        generator: buildToyGenerator({ shape: options.shape, latentDim }),
        discriminator: buildToyDiscriminator({ shape: options.shape }),
        numClasses: 0,
      };
    case 'mlp':
      return {
        generator: buildMlpGenerator({ shape, latentDim }),
        discriminator: buildMlpDiscriminator({ shape }),
        numClasses: 0,
      };
    case 'cmlp': {
      const numClasses = requireClasses(options.numClasses, kind);
      return {
        generator: buildMlpGenerator({ shape, latentDim, numClasses }),
        discriminator: buildMlpDiscriminator({ shape, numClasses }),
        numClasses,
      };
    }
    case 'dcgan': {
      if (!selfConditioned(options))
        return {
          generator: buildDcganGenerator({ shape, latentDim, generatorWidth }),
          discriminator: buildDcganDiscriminator({ shape, seeds, discriminatorWidth }),
          numClasses: 0,
        };
      const numClasses = options.numClasses ?? 0;
      return {
        generator: buildGenerator(kind, options),
        discriminator: buildCdcganDiscriminator({ shape, numClasses, seeds, discriminatorWidth }),
        numClasses,
      };
    }
    case 'cdcgan': {
      const numClasses = options.numClasses;
      if (numClasses === undefined) {
        throw new ModelShapeError(
          'model cdcgan needs numClasses: the dataset must have class labels',
        );
      }
      return {
        generator: buildCdcganGenerator({ shape, latentDim, numClasses, generatorWidth }),
        discriminator: buildCdcganDiscriminator({ shape, numClasses, seeds, discriminatorWidth }),
        numClasses,
      };
    }
    case 'vae':
      return {
        generator: buildVaeDecoder({ shape, latentDim, generatorWidth }),
        discriminator: buildVaeEncoder({ shape, latentDim, discriminatorWidth }),
        numClasses: 0,
      };
    case 'cvae': {
      const numClasses = requireClasses(options.numClasses, kind);
      return {
        generator: buildVaeDecoder({ shape, latentDim, numClasses, generatorWidth }),
        discriminator: buildVaeEncoder({ shape, latentDim, numClasses, discriminatorWidth }),
        numClasses,
      };
    }
    case 'resnet-cgan': {
      const numClasses = requireClasses(options.numClasses, kind);
      return {
        generator: buildResnetCganGenerator({ shape, latentDim, numClasses }),
        discriminator: buildResnetCganDiscriminator({ shape, numClasses }),
        numClasses,
      };
    }
  }
}
