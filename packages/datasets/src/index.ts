/**
 * @packageDocumentation
 * Image sets for GAN training and detector evaluation: MNIST, Fashion-MNIST, emoji avatars,
 * folders of the user's images, and 2-D Gaussian-mixture toys. Every set loads into one
 * {@link Dataset}: a Float32Array of samples ([-1, 1] HWC for images) plus Int32 labels, with
 * seeded shuffling and TF.js batches made on whichever backend is active.
 */
export * from './dataset.js';
export { DatasetError } from './errors.js';
export type { LoadReport, LoadResult, SkippedFile, SkipReason } from './report.js';
export { countSkipReasons } from './report.js';
export { createRng, mulberry32, shuffledIndices, stableUnitHash, type Rng } from './prng.js';
export { mapWithConcurrency } from './concurrency.js';
export { axisFilter, parseColour, type AxisFilter, type ColourInput, type Rgb } from './pixels.js';
export {
  loadMnist,
  loadFashionMnist,
  MNIST_CLASS_NAMES,
  FASHION_MNIST_CLASS_NAMES,
  FASHION_MNIST_DEBIAN_DIR,
  type IdxImageSetOptions,
} from './mnist.js';
export { parseIdx, readIdxFile, type IdxArray } from './idx.js';
export { loadEmoji, EMOJI_CATEGORIES, type EmojiOptions } from './emoji.js';
export {
  loadImageFolder,
  EmptyDatasetError,
  type FolderFit,
  type ImageFolderOptions,
} from './folder.js';
export {
  RING8,
  GRID25,
  ToyDataset,
  sampleMixture,
  modeCoverage,
  type GaussianMixture,
  type ToyOptions,
  type ModeCoverage,
  type ModeCoverageOptions,
} from './toy.js';
export {
  datasetSpecSchema,
  parseDatasetSpec,
  loadDataset,
  type DatasetSpec,
  type DatasetSpecInput,
  type DatasetKind,
} from './spec.js';
export { encodePng } from './png.js';
export {
  datasetRoots,
  resolveDatasetPath,
  confineDatasetSpec,
  type DatasetRoots,
} from './dataset-root.js';
