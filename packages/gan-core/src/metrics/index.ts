/**
 * Quality metrics of generated images: FID, KID, an Inception-Score-style score, improved
 * precision/recall (+ density/coverage) and a memorization audit, measured in the feature space of
 * a small classifier trained per dataset. See docs/metrics.md.
 */
export { featureMatrix, featureMatrixFromRows, type FeatureMatrix } from './stats/matrix.js';
export { symmetricEigen, type SymmetricEigen } from './stats/eigen.js';
export { featureMean, gaussianStats, type GaussianStats } from './stats/moments.js';
export { sqrtmPsd, traceSqrtProduct } from './stats/sqrtm.js';
export { frechetDistance } from './stats/frechet.js';
export { kernelInceptionDistance, type KidOptions, type KidResult } from './stats/kid.js';
export { inceptionScore, type InceptionScoreOptions } from './stats/inception-score.js';
export type { MeanStd } from './stats/summary.js';
export * from './extractor/index.js';
export * from './dataset.js';
export * from './neighbors.js';
export * from './kid-backend.js';
export * from './precision-recall.js';
export * from './memorization.js';
export * from './evaluate.js';
export * from './generator-source.js';
export * from './membership.js';
export * from './sharpness.js';
