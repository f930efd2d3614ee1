/** Image shapes the model builders know how to size themselves for. */

/** `[height, width, channels]`, NHWC without the batch axis. */
export type ImageShape = readonly [height: number, width: number, channels: number];

/** Square sizes with a matching architecture; channels may be 1 (grey) or 3 (RGB). */
export const supportedSizes = [28, 32, 64] as const;
export type SupportedSize = (typeof supportedSizes)[number];

/** Thrown when a builder gets a shape or option it cannot build for. */
export class ModelShapeError extends Error {
  override readonly name = 'ModelShapeError';
}

/** Validates `shape` and returns its square size; throws a {@link ModelShapeError} naming what is wrong. */
export function checkImageShape(shape: ImageShape): SupportedSize {
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

/** Validates the latent size and class count shared by every builder. */
export function checkLatentAndClasses(latentDim: number, numClasses?: number): void {
  if (!Number.isInteger(latentDim) || latentDim < 1) {
    throw new ModelShapeError(`latentDim must be a positive integer, got ${latentDim}`);
  }
  if (numClasses !== undefined && (!Number.isInteger(numClasses) || numClasses < 2)) {
    throw new ModelShapeError(`a conditional model needs at least 2 classes, got ${numClasses}`);
  }
}
