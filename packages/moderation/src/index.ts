/**
 * @packageDocumentation
 * Content moderation for ganmod: input validation, detectors (near-duplicate via PDQ, abusive and
 * spam captions, explicit images, GAN-made images), a versioned policy and a pipeline.
 */
export * from './errors.js';
export * from './types.js';
export { sniffImage, type ImageHeader, type ImageType } from './input/sniff.js';
export {
  DEFAULT_INPUT_LIMITS,
  validateImage,
  validateItem,
  type InputLimits,
  type ValidatedItem,
} from './input/validate.js';
export { decodeImage, WORKING_MAX_SIDE, type RgbImage } from './input/decode.js';
export * from './pdq/hash256.js';
export * from './pdq/pdq.js';
export { decodeBytes, pdqFromBytes, pdqFromImage, type CentralCrop } from './pdq/image.js';
export * from './bank/hash-bank.js';
export * from './bank/image-variants.js';
export type { Detector, DetectorInput } from './detectors/detector.js';
export * from './detectors/near-duplicate.js';
