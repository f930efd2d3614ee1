export * from './grid.js';
export * from './latent.js';
export * from './sample.js';
export * from './scatter.js';
export * from './truncation.js';
