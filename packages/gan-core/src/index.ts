/**
 * @packageDocumentation
 * gan-core: GAN models, losses, the training loop, checkpoints, sampling and metrics on TensorFlow.js,
 * with a backend picker (tfjs-node -> wasm with the project's kernels -> cpu).
 */
export * from './backend/index.js';
export * from './checkpoint/index.js';
export * from './config.js';
export * from './export/index.js';
export * from './losses/index.js';
export * from './metrics/index.js';
export * from './models/index.js';
export * from './sampling/index.js';
export * from './train/index.js';
export * from './privacy/index.js';
