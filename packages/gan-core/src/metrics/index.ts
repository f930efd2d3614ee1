/**
 * Quality metrics of generated images: FID, KID, Inception-Score-style score, improved
 * precision/recall and a memorization audit, measured in the feature space of a small classifier
 * trained per dataset. See docs/metrics.md.
 */
export * from './stats/index.js';
export * from './extractor/index.js';
export * from './dataset.js';
export * from './neighbors.js';
export * from './kid-backend.js';
export * from './precision-recall.js';
export * from './memorization.js';
export * from './evaluate.js';
