/** Data shapes the model builders know how to size themselves for: images, and 2-D toy points. */

/** `[height, width, channels]`, NHWC without the batch axis. */
export type ImageShape = readonly [height: number, width: number, channels: number];

/** `[dims]`: one point of a toy dataset (the 8-Gaussian ring, the 5x5 grid): `[2]`. */
export type PointShape = readonly [dims: number];

/** The shape of one training sample: an image or a point. */
export type DataShape = ImageShape | PointShape;

/** True for a point shape `[dims]` (rank 1), false for an image shape. */
export function isPointShape(shape: DataShape): shape is PointShape {
  return shape.length === 1;
}

/** Square sizes with a matching architecture; channels may be 1 (grey) or 3 (RGB). */
export const supportedSizes = [28, 32, 64] as const;
export type SupportedSize = (typeof supportedSizes)[number];

/** Thrown when a builder gets a shape or option it cannot build for. */
export class ModelShapeError extends Error {
  override readonly name = 'ModelShapeError';
}

/** Validates `shape` and returns its square size; throws a {@link ModelShapeError} naming what is wrong. */
export function checkImageShape(shape: DataShape): SupportedSize {
  if (isPointShape(shape)) {
    throw new ModelShapeError(
      `samples of shape [${shape.join(', ')}] are points, not images: 2-D point datasets (ring8, grid25) train with model toy-mlp`,
    );
  }
  const [h, w, c] = shape;
  const supported = supportedSizes
    .map((s) => `${s}x${s}x1`)
    .concat(supportedSizes.map((s) => `${s}x${s}x3`));
  if (!(supportedSizes as readonly number[]).includes(h) || h !== w || (c !== 1 && c !== 3)) {
    throw new ModelShapeError(
      `unsupported image shape ${h}x${w}x${c}: supported shapes are ${supported.join(', ')}`,
    );
  }
  return h as SupportedSize;
}

/** Validates a toy model's point shape: exactly `[2]`, what the toy mixtures, scatter plots and mode coverage use. */
export function checkPointShape(shape: DataShape): PointShape {
  if (!isPointShape(shape) || shape[0] !== 2) {
    throw new ModelShapeError(
      `model toy-mlp trains on 2-D points (shape [2]), got samples of shape [${shape.join(', ')}]: image datasets train with mlp, dcgan or cdcgan`,
    );
  }
  return shape;
}

/** Validates the latent size and class count shared by every builder. */
export function checkLatentAndClasses(latentDim: number, numClasses?: number): void {
  if (!Number.isInteger(latentDim) || latentDim < 1) {
    throw new ModelShapeError(`latentDim must be a positive integer, got ${latentDim}`);
  }
  if (numClasses !== undefined && (!Number.isInteger(numClasses) || numClasses < 2)) {
    throw new ModelShapeError(`a conditional model needs at least 2 classes, got ${numClasses}`);
  }
}
