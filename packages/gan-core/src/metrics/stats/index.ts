export * from './matrix.js';
export * from './eigen.js';
export * from './moments.js';
export * from './sqrtm.js';
export * from './frechet.js';
export * from './kid.js';
export * from './inception-score.js';
export * from './summary.js';
export { seededRandom, sampleWithoutReplacement, permutation, type Random } from './rng.js';
